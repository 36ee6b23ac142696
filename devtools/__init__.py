"""Development tools outside the product packages: soak, hostile-input corpus, throwaway servers.

Nothing in nianbao/, schemas/, producers/ or workers/ imports from here.
"""
