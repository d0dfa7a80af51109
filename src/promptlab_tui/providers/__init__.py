"""Provider adapters over the real SDKs (imported lazily: anthropic alone takes ~1.5 s)."""
