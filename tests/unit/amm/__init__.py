"""Unit tests of the constant-product AMM (a package so that test_mint.py etc. do not clash with
other areas' modules of the same name under pytest's default import mode)."""
