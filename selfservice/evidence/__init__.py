"""Evidence files: streamed uploads, type by magic bytes, SHA-256, per-owner dedupe, storage."""
