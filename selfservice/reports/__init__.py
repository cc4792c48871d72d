"""Confidential dishonesty reports (失信举报): filing, sealed reporters, routing and follow-up."""
