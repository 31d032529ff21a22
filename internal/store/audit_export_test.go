package store

import (
	"context"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// VerifyAuditLogInChunks is VerifyOrgAuditLog for orgID, or VerifyAuditLog
// when orgID is nil, reading n entries per query: with a small n the
// tests' short chains cross many chunk boundaries.
func (db *DB) VerifyAuditLogInChunks(ctx context.Context, orgID *string, n int) (checked int64, brk *isms.ChainBreak, err error) {
	return db.verifyAudit(ctx, orgID, n)
}
