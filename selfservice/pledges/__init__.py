"""Credit pledges (信用承诺): templates, signing, the 容缺 deadline, breaches and the public wall."""
