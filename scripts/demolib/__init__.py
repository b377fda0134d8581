"""The parts of scripts/demo: processes, the admin CLI, the TCP link of one device and the story."""
