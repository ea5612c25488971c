"""Documentation mode: rebuild 電子証明書かんたんスタートマニュアル — its step screenshots, HTML and PDF — from the service."""
