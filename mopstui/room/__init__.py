"""The room's duties, run headless by whichever process holds them.

The vendor poller, clocks and crossings, notifications, the anchor and verification checkpoints.
"""
