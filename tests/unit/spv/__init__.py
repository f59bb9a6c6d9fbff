"""Unit tests of the SPV token and its transfer policy (a package so that test_deploy.py etc. do
not clash with other areas' modules of the same name under pytest's default import mode)."""
