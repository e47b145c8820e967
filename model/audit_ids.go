package model

import (
	"context"
	"slices"
	"sync"
)

// A caller that wants to name the audit entries its changes wrote (the
// command line's --json results do) asks with WithAuditIDs: every write
// made under the context that commits adds the ids of the entries it
// appended. Writes that fail or roll back add nothing.

type auditIDsKey struct{}

// AuditIDs collects the ids of the audit entries committed under one
// context, in the order written.
type AuditIDs struct {
	mu  sync.Mutex
	ids []int64
}

// WithAuditIDs returns a context whose committed writes are collected.
func WithAuditIDs(ctx context.Context) (context.Context, *AuditIDs) {
	r := &AuditIDs{}
	return context.WithValue(ctx, auditIDsKey{}, r), r
}

// IDs are the entries collected so far.
func (r *AuditIDs) IDs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// noteAuditIDs adds the entries a committed write appended to the
// context's collector, if it has one.
func noteAuditIDs(ctx context.Context, ids []int64) {
	r, ok := ctx.Value(auditIDsKey{}).(*AuditIDs)
	if !ok || len(ids) == 0 {
		return
	}
	r.mu.Lock()
	r.ids = append(r.ids, ids...)
	r.mu.Unlock()
}
