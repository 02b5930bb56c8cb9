"""newsmon: feeds -> topics -> entities -> Elasticsearch -> alerts, for Myanmar, ASEAN and Russian diplomacy."""

__version__ = "0.1.0"
