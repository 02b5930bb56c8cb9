"""The newsmon command line."""
