"""Resources beyond pledged money: volunteer time valued in euros, declared own revenue, the funding mix."""
