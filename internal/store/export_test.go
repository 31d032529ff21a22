package store

// SetMaxKeptPlanLinks changes how many risk-to-control links the
// treatment plan keeps, so that a test can exceed it with a few.
func (db *DB) SetMaxKeptPlanLinks(n int) { db.maxPlanLinks = n }
func (db *DB) SetMaxKeptManagers(n int)  { db.maxManagers = n }

// SetMaxOrderedMatches changes how many matches of a list are kept in the
// list's order, so that a test can exceed it with a few.
func (db *DB) SetMaxOrderedMatches(n int) { db.maxOrdered = n }
