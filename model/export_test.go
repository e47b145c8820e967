package model

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gatehouse/db"
)

func TestExportImportRoundTrip(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	owner := f.as(f.owner)
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetAccountAccess(f.ctx, owner, accs[1].ID, adv.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "pending@acme.test", Name: "Pen Ding", Message: "Welcome\naboard"}); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	if err := f.svc.Export(f.ctx, f.sys, &first); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"argon2id", "password_hash", "token_hash", "totp_secret"} {
		if strings.Contains(first.String(), secret) {
			t.Fatalf("export holds %q", secret)
		}
	}
	ctx := context.Background()
	other, err := Open(ctx, filepath.Join(t.TempDir(), "restored.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	res, err := other.Import(ctx, System("restorer"), bytes.NewReader(first.Bytes()), "first.json")
	if err != nil || res.Rows == 0 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	cnt, brk, err := other.VerifyAudit(ctx)
	if err != nil || brk != nil || cnt == 0 {
		t.Fatalf("verify after import = %d %+v %v", cnt, brk, err)
	}
	// The import is itself audited, chained after the log the file
	// carried: who, from which file (its SHA-256) and how much.
	sum := sha256.Sum256(first.Bytes())
	last, err := db.ListAudit(ctx, other.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, Limit: 1})
	if err != nil || len(last) != 1 {
		t.Fatalf("the newest entry: %v", err)
	}
	if e := last[0]; e.Action != "org.import" || e.Actor != "restorer" || e.ActorKind != KindSystem || e.ID != res.EntryID || e.ID != cnt ||
		int64(res.AuditEntries) != cnt-1 || res.SHA256 != hex.EncodeToString(sum[:]) ||
		!strings.Contains(e.After, `"file":"first.json"`) || !strings.Contains(e.After, res.SHA256) ||
		!strings.Contains(e.After, fmt.Sprintf(`"audit_entries":%d`, cnt-1)) || !strings.Contains(e.After, fmt.Sprintf(`"rows":%d`, res.Rows)) {
		t.Fatalf("import audited as %+v (result %+v, %d entries)", e, res, cnt)
	}
	// Exporting the restored database gives back the same document, but
	// for the import's own audit entry, which the second export adds.
	var second bytes.Buffer
	if err := other.db.Export(ctx, &second); err != nil {
		t.Fatal(err)
	}
	secondText := second.String()
	if i := strings.Index(secondText, `"org.import"`); i >= 0 {
		// The entry is the log's last row, on a line of its own.
		rowStart := strings.LastIndex(secondText[:i], "\n")
		rowEnd := i + strings.Index(secondText[i:], `"]`) + len(`"]`)
		secondText = strings.TrimSuffix(secondText[:rowStart], ",") + secondText[rowEnd:]
	}
	if first.String() != secondText {
		a, b := strings.Split(first.String(), "\n"), strings.Split(secondText, "\n")
		for i := range a {
			if i >= len(b) || a[i] != b[i] {
				t.Fatalf("round trip differs at line %d:\n%s\n%s", i, a[i], b[min(i, len(b)-1)])
			}
		}
		t.Fatal("round trip differs")
	}
	// The restored model answers the same questions.
	d, err := other.Check(ctx, f.as(adv), ActAccess, TargetRef{Kind: "account", Module: ModuleAccounts, Client: "Acme Ltd", Account: accs[1].Name})
	if err != nil || d.Allowed {
		t.Fatalf("restored check = %+v, %v", d, err)
	}
	// A second import into a database with an organisation is refused.
	if _, err := other.Import(ctx, System("tester"), bytes.NewReader(first.Bytes()), "first.json"); err == nil {
		t.Fatal("import over an organisation succeeded")
	}
	// Garbage is refused and changes nothing.
	empty, err := Open(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	broken := strings.Replace(first.String(), `"name":"staff"`, `"name":"no_such_table"`, 1)
	if _, err := empty.Import(ctx, System("tester"), strings.NewReader(broken), "broken.json"); err == nil {
		t.Fatal("broken import succeeded")
	}
	if ok, _ := empty.HasOrg(ctx); ok {
		t.Fatal("failed import left an organisation behind")
	}
}

func TestBackupWhileInUse(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	dest := filepath.Join(t.TempDir(), "backup.db")
	done := make(chan error)
	go func() {
		// Writes carry on while the backup runs.
		for i := 0; i < 20; i++ {
			if err := f.svc.AddToClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
				done <- err
				return
			}
			if err := f.svc.RemoveFromClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if err := f.svc.Backup(f.ctx, f.sys, dest); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dest)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode = %v, %v", st, err)
	}
	copy, err := Open(f.ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	if _, brk, err := copy.VerifyAudit(f.ctx); err != nil || brk != nil {
		t.Fatalf("backup chain: %+v %v", brk, err)
	}
	if err := f.svc.Backup(f.ctx, f.sys, dest); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	// An Advisor may not take a backup.
	if err := f.svc.Backup(f.ctx, f.as(adv), filepath.Join(t.TempDir(), "x.db")); err == nil {
		t.Fatal("advisor backup succeeded")
	}
}
