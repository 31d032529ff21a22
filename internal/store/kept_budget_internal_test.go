package store

import "testing"

// Lists' matches kept in order count against a budget of bytes: the cache
// forgets everything rather than hold more, never keeps one larger than
// the budget, and frees what an organisation held when its records change.
func TestKeptCacheBudget(t *testing.T) {
	ids := func(n int) keptList[string] { return keptList[string]{items: make([]string, n), bytes: 64 * n} }
	quarter := maxKeptBytes / 4 / 64 // ids in a quarter of the budget
	var c keptCache
	has := func(org, key string, seq int64) bool {
		_, ok := c.get(org, seq, 0, key)
		return ok
	}
	c.put("a", 1, 0, "count", 7) // unsized: costs nothing
	c.put("a", 1, 0, "x", ids(quarter))
	c.put("b", 1, 0, "x", ids(quarter))
	c.put("b", 1, 0, "y", ids(quarter))
	if c.bytes != 3*quarter*64 || !has("a", "x", 1) || !has("a", "count", 1) || !has("b", "y", 1) {
		t.Fatalf("three quarters kept: %d bytes", c.bytes)
	}
	// Replacing a value frees the old one.
	c.put("b", 1, 0, "y", ids(quarter/2))
	if c.bytes != 5*quarter*64/2 {
		t.Fatalf("after replacing: %d bytes", c.bytes)
	}
	// A change of b's records frees what b held.
	c.put("b", 2, 0, "z", ids(1))
	if c.bytes != quarter*64+64 || has("b", "x", 1) || !has("a", "x", 1) {
		t.Fatalf("after b changed: %d bytes", c.bytes)
	}
	// Beyond the budget, everything is forgotten first.
	c.put("c", 1, 0, "x", ids(3*quarter+1))
	if has("a", "x", 1) || has("a", "count", 1) || !has("c", "x", 1) || c.bytes != (3*quarter+1)*64 {
		t.Fatalf("over the budget: a kept, or c not (%d bytes)", c.bytes)
	}
	// A value larger than the budget is not kept at all.
	c.put("d", 1, 0, "x", ids(4*quarter+1))
	if has("d", "x", 1) || !has("c", "x", 1) {
		t.Fatal("a value larger than the budget was kept, or displaced others")
	}
}
