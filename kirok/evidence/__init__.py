"""Evidence: originals stored content-addressed and never altered, capture records, derivatives, custody."""
