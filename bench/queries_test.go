package bench

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"gatehouse/db"
	"gatehouse/model"
)

// pageSize is the rows a page query asks for: a tall terminal's worth.
const pageSize = 50

// A pageQuery is one page query asked two ways in the same run: through
// the model (actor loaded, permission scope decided, the page and its
// total read) and as the same SQL on a bare database/sql handle (the db
// package's query functions, given the scope the model would decide, on a
// *sql.DB that is not Gatehouse's). The ratio is the cost of the layers.
type pageQuery struct {
	name  string
	model func(ctx context.Context, e *env) (int, error)
	bare  func(ctx context.Context, e *env) (int, error)
	// candidates: the bare rows are those the model decides over, so
	// there are at least as many as the model returns.
	candidates bool
}

// advisorScope is what the model decides for an Advisor's client list.
func advisorScope(e *env) db.Scope { return db.Scope{StaffID: e.advisor.StaffID, AddedOnly: true} }

// ownerScope is what the model decides for the Owner.
func ownerScope(e *env) db.Scope {
	return db.Scope{All: true, StaffID: e.owner.StaffID, Internal: true}
}

var pageQueries = []pageQuery{
	{
		name: "clients-of-advisor",
		model: func(ctx context.Context, e *env) (int, error) {
			cs, _, err := e.svc.ListClients(ctx, e.advisor, model.ClientQuery{Limit: pageSize})
			return len(cs), err
		},
		bare: func(ctx context.Context, e *env) (int, error) {
			q := db.ClientQuery{Scope: advisorScope(e), Limit: pageSize}
			cs, err := db.ListClients(ctx, e.raw, q)
			if err != nil {
				return 0, err
			}
			_, err = db.CountClients(ctx, e.raw, q)
			return len(cs), err
		},
	},
	{
		name: "clients-of-owner",
		model: func(ctx context.Context, e *env) (int, error) {
			cs, _, err := e.svc.ListClients(ctx, e.owner, model.ClientQuery{Limit: pageSize})
			return len(cs), err
		},
		bare: func(ctx context.Context, e *env) (int, error) {
			q := db.ClientQuery{Scope: ownerScope(e), Limit: pageSize}
			cs, err := db.ListClients(ctx, e.raw, q)
			if err != nil {
				return 0, err
			}
			_, err = db.CountClients(ctx, e.raw, q)
			return len(cs), err
		},
	},
	{
		name: "staff-first-page",
		model: func(ctx context.Context, e *env) (int, error) {
			ms, _, err := e.svc.ListStaff(ctx, e.owner, model.MemberQuery{Limit: pageSize})
			return len(ms), err
		},
		bare: func(ctx context.Context, e *env) (int, error) {
			q := db.MemberQuery{Scope: db.Scope{All: true, StaffID: e.owner.StaffID, Internal: true}, Limit: pageSize}
			ms, err := db.ListMembers(ctx, e.raw, q)
			if err != nil {
				return 0, err
			}
			_, err = db.CountMembers(ctx, e.raw, q)
			return len(ms), err
		},
	},
	{
		// The bare side is the SQL WhoCanReach runs: the account with its
		// folder's facts, then the candidates with every fact the engine
		// needs. The model adds the reader's actor, the permission to see
		// the folder, and the engine over every candidate.
		// Its rows are the candidates, of which the engine keeps some
		// (TestBareMatchesModel holds the kept ones to whoCanReachSQL).
		name:       "who-can-reach",
		candidates: true,
		model: func(ctx context.Context, e *env) (int, error) {
			rs, err := e.svc.WhoCanReach(ctx, e.owner, e.account)
			return len(rs), err
		},
		bare: func(ctx context.Context, e *env) (int, error) {
			af, err := db.GetAccountFolder(ctx, e.raw, e.account, e.owner.StaffID)
			if err != nil {
				return 0, err
			}
			cs, err := db.AccountReachByRules(ctx, e.raw, af.Client.ID, af.Account.ID)
			return len(cs), err
		},
	},
	auditQuery("audit-first-page", func(e *env) db.AuditQuery { return db.AuditQuery{} }),
	auditQuery("audit-deep-page", func(e *env) db.AuditQuery { return db.AuditQuery{BeforeID: e.oldID} }),
	auditQuery("audit-by-action", func(e *env) db.AuditQuery { return db.AuditQuery{Action: "client.rename"} }),
	auditQuery("audit-by-action-deep", func(e *env) db.AuditQuery {
		return db.AuditQuery{Action: "client.rename", BeforeID: e.oldID}
	}),
	auditQuery("audit-by-staff", func(e *env) db.AuditQuery { return db.AuditQuery{StaffID: e.member} }),
}

// auditQuery is an audit page read by the Owner.
func auditQuery(name string, q func(e *env) db.AuditQuery) pageQuery {
	return pageQuery{
		name: name,
		model: func(ctx context.Context, e *env) (int, error) {
			aq := q(e)
			aq.Limit = pageSize
			es, err := e.svc.ListAudit(ctx, e.owner, aq)
			return len(es), err
		},
		bare: func(ctx context.Context, e *env) (int, error) {
			aq := q(e)
			aq.Limit, aq.Scope = pageSize, ownerScope(e)
			es, err := db.ListAudit(ctx, e.raw, aq)
			return len(es), err
		},
	}
}

// whoCanReachSQL answers "who can reach this account" in one SQL statement:
// the rules of the engine written as SQL, independently of the model's
// WhoCanReach (which runs the engine over the candidates it loads).
// TestBareMatchesModel checks that both name the same members.
func whoCanReachSQL(ctx context.Context, q db.Querier, accountID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `
		WITH cl AS (SELECT c.id, c.internal, c.department_id, c.owner_id FROM clients c JOIN accounts a ON a.client_id = c.id WHERE a.id = ?1),
		scoped AS (SELECT role_id, scope FROM role_permissions WHERE module = 'accounts' AND action = 'view')
		SELECT s.id FROM staff s, cl WHERE s.status = 'active' AND (
			s.role_id = 1
			OR s.id IN (SELECT staff_id FROM account_access WHERE account_id = ?1)
			OR (cl.internal = 0 AND (s.role_id = 2 OR s.role_id IN (SELECT role_id FROM scoped WHERE scope = 'all')))
			OR (cl.internal = 0 AND s.role_id IN (SELECT role_id FROM scoped WHERE scope = 'department') AND (
				cl.owner_id = s.id
				OR cl.department_id IN (SELECT department_id FROM staff_departments WHERE staff_id = s.id)
				OR cl.owner_id IN (SELECT id FROM staff WHERE manager_id = s.id)
				OR EXISTS (SELECT 1 FROM staff_departments o JOIN staff_departments m ON m.department_id = o.department_id
					WHERE o.staff_id = cl.owner_id AND m.staff_id = s.id))))
		ORDER BY s.name COLLATE NOCASE, s.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("who can reach (SQL): %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// BenchmarkPage runs every page query through the model and bare, per
// size: BenchmarkPage/<query>/<size>/{model,sql}.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	for _, pq := range pageQueries {
		b.Run(pq.name, func(b *testing.B) {
			perSize(b, func(b *testing.B, e *env) {
				for _, layer := range []struct {
					name string
					fn   func(context.Context, *env) (int, error)
				}{{"model", pq.model}, {"sql", pq.bare}} {
					b.Run(layer.name, func(b *testing.B) {
						n := 0
						for i := 0; i < b.N; i++ {
							var err error
							if n, err = layer.fn(ctx, e); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(n), "rows")
					})
				}
			})
		})
	}
}

// BenchmarkCheck is "may member X reach account Y", per size:
//   - hot: the Checker asked the same allowed pair over and over;
//   - stream: the Checker asked the mixed stream (warm: the stream was
//     asked four times before timing); checker-heap-MiB is the Go heap the
//     warm Checker holds;
//   - cold: the first 1,000 checks of the stream on a fresh Checker, per check;
//   - map: a Go map lookup of the stream's precomputed answers;
//   - floor: one dependent random read from memory over a working set the
//     size of the organisation's access data (AccessDataBytes): the
//     physical floor of any check that must look at that data, since the
//     answer for a pair is somewhere in it;
//   - sql: Service.Check, which loads the facts from SQL on every call.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		stream, answers, checker := e.checks(b)
		hot := 0
		for i, ok := range answers {
			if ok {
				hot = i
				break
			}
		}
		b.Run("hot", func(b *testing.B) {
			c := stream[hot]
			cpu := StartCPU()
			for i := 0; i < b.N; i++ {
				if ok, err := checker.CanReach(ctx, c.Staff, c.Account); err != nil || !ok {
					b.Fatalf("CanReach(%d, %d) = %v, %v", c.Staff, c.Account, ok, err)
				}
			}
			cpu.Report(b)
		})
		b.Run("stream", func(b *testing.B) {
			// A mutation benchmark of an earlier round drops the Checker's
			// cache; warm it again so this measures the warm path.
			for range 4 {
				if _, err := Answers(ctx, checker, stream); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			// The stream is walked with a wrapping index rather than i %
			// len: a division per check would be a good part of a warm
			// check's time (the map side walks it the same way).
			cpu := StartCPU()
			for i, j := 0, 0; i < b.N; i++ {
				c := stream[j]
				if j++; j == len(stream) {
					j = 0
				}
				if _, err := checker.CanReach(ctx, c.Staff, c.Account); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
			b.ReportMetric(float64(e.checkerHeap)/(1<<20), "checker-heap-MiB")
		})
		// cold: a Checker that has answered nothing yet (as after a change
		// wide enough to drop its whole cache) asked the first 1,000
		// checks of the stream, then a fresh one again: one op is one
		// check, the Checker's creation included.
		b.Run("cold", func(b *testing.B) {
			var c *model.Checker
			for i := 0; i < b.N; i++ {
				k := i % 1000
				if k == 0 {
					if c != nil {
						c.Close()
					}
					var err error
					if c, err = e.svc.NewChecker(ctx); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := c.CanReach(ctx, stream[k].Staff, stream[k].Account); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if c != nil {
				c.Close()
			}
		})
		b.Run("map", func(b *testing.B) {
			m := make(map[Check]bool, len(stream))
			for i, c := range stream {
				m[c] = answers[i]
			}
			b.ResetTimer()
			n := 0
			cpu := StartCPU()
			for i, j := 0, 0; i < b.N; i++ {
				c := stream[j]
				if j++; j == len(stream) {
					j = 0
				}
				if m[c] {
					n++
				}
			}
			cpu.Report(b)
			sink = n
		})
		b.Run("floor", func(b *testing.B) {
			bytes, err := AccessDataBytes(ctx, e.svc.DB().Read())
			if err != nil {
				b.Fatal(err)
			}
			chase := NewChase(bytes, StreamSeed)
			b.ResetTimer()
			cpu := StartCPU()
			sink = chase.Walk(b.N)
			cpu.Report(b)
			b.ReportMetric(float64(bytes)/(1<<20), "working-set-MiB")
		})
		b.Run("sql", func(b *testing.B) {
			refs, err := accountRefs(ctx, e.svc.DB().Read(), stream[:1000])
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := stream[i%len(refs)]
				if _, err := e.svc.Check(ctx, model.Principal{Kind: model.KindMember, StaffID: c.Staff}, model.ActAccess, refs[i%len(refs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

var sink int

// accountRefs names the accounts of checks the way Service.Check takes them.
func accountRefs(ctx context.Context, q db.Querier, checks []Check) ([]model.TargetRef, error) {
	out := make([]model.TargetRef, len(checks))
	for i, c := range checks {
		var client, account string
		err := q.QueryRowContext(ctx, `SELECT c.name, a.name FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.id = ?`, c.Account).Scan(&client, &account)
		if err != nil {
			return nil, fmt.Errorf("account %d: %w", c.Account, err)
		}
		out[i] = model.TargetRef{Kind: "account", Client: client, Account: account}
	}
	return out, nil
}

// rawExec runs a statement on the model's write pool (setup only).
func rawExec(ctx context.Context, d *sql.DB, query string, args ...any) error {
	_, err := d.ExecContext(ctx, query, args...)
	return err
}
