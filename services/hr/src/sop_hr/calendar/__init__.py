"""Bank holidays by region, from the kernel's working-day calendar."""
