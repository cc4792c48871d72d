"""WeChat official account: signatures, AES envelope, XML messages, API client, retry dedupe."""
