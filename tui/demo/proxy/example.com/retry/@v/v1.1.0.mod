// Deprecated: use example.com/backoff instead; retry is no longer maintained.
module example.com/retry

go 1.16
