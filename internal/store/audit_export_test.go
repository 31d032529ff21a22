package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// VerifyAuditLogInChunks is VerifyOrgAuditLog for orgID, or VerifyAuditLog
// when orgID is nil, reading n entries per query and chains of split
// entries or more (0: none) in two halves at once: with a small n and
// split the tests' short chains cross many chunk boundaries and are read
// in halves.
func (db *DB) VerifyAuditLogInChunks(ctx context.Context, orgID *string, n int, split int64) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, orgID, n, split)
}
