"""Resources beyond pledged money: volunteer time valued in euros, and a project's funding mix."""
