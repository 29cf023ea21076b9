"""Vendor status: providers that read public status pages, our own probes, and the poller."""
