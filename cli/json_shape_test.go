package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// changesReach are the actions that change who reaches what: their
// --json result says what is reachable afterwards ("reach").
var changesReach = map[string]bool{
	"access grant": true, "access revoke": true, "staff set-role": true, "staff deactivate": true, "staff reactivate": true,
	"clients set-owner": true, "clients set-department": true, "clients reassign": true, "accounts add": true,
	"accounts remove": true, "roles edit": true, "roles delete": true, "roles give": true, "departments add": true,
	"departments remove": true, "staff departments": true,
}

var dbFlag = regexp.MustCompile(`--db (\S+)`)

// Every action prints one result object of the same shape with --json:
// the command, what it did, the records it touched and, under
// ids.audit, exactly the audit entries it wrote; an action that changes
// who reaches what also says what is reachable now. Each command's
// README example is run with --json on a fresh demo; one that wrote an
// audit entry is an action.
func TestEveryActionPrintsOneResultShape(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	actions := map[string]bool{}
	t.Cleanup(func() {
		for name := range changesReach {
			if !actions[name] {
				t.Errorf("%s changes who reaches what, but its example wrote no audit entry", name)
			}
		}
	})
	for _, ex := range readmeExamples(t) {
		run := readmeExampleRuns[ex]
		if run.app != "" || run.until != "" || run.code != 0 || !strings.Contains(ex, "gatehouse ") {
			continue
		}
		name := exampleCommand(ex)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			actionShape(t, ex, run, name, func() { mu.Lock(); actions[name] = true; mu.Unlock() })
		})
	}
}

// actionShape runs one example with --json and checks its result.
func actionShape(t *testing.T, ex string, run exampleRun, name string, isAction func()) {
	b := newExampleBench(t, run)
	for _, line := range run.setup {
		if r := b.shell(line); r.code != 0 {
			t.Fatalf("setup %q: %+v", line, r)
		}
	}
	path := filepath.Join(b.dir, "northwind.db")
	if m := dbFlag.FindStringSubmatch(ex); m != nil {
		path = b.local(m[1])
	}
	seen := lastAuditID(t, path)
	r := b.shell(ex + " --json")
	if r.code != 0 {
		t.Fatalf("%s --json: exit %d\n%s%s", ex, r.code, r.stdout, r.stderr)
	}
	wrote := newAuditIDs(t, path, seen)
	if len(wrote) == 0 {
		return // not an action: it changed nothing
	}
	isAction()
	var raw map[string]json.RawMessage
	var res actionResult
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("%s --json: not one object: %v\n%s", ex, err, r.stdout)
	}
	json.Unmarshal([]byte(r.stdout), &res)
	if res.Command != name || raw["done"] == nil || len(res.Done) == 0 {
		t.Errorf("%s --json: command %q, done %v; want %q and what it did\n%s", ex, res.Command, res.Done, name, r.stdout)
	}
	if createsDB[name] {
		// A new database's entries are the ones it was made with; the
		// action's own are among them.
		wrote = slices.DeleteFunc(slices.Clone(wrote), func(id int64) bool { return !slices.Contains(res.IDs["audit"], id) })
	}
	if len(wrote) == 0 || !slices.Equal(res.IDs["audit"], wrote) {
		t.Errorf("%s --json: ids.audit %v, but it wrote entries %v\n%s", ex, res.IDs["audit"], wrote, r.stdout)
	}
	if len(res.IDs) < 2 && !recordless[name] {
		t.Errorf("%s --json: names no record it touched, only %v\n%s", ex, res.IDs, r.stdout)
	}
	if changesReach[name] && res.Reach == nil {
		t.Errorf("%s --json: changes who reaches what, but says nothing of reach\n%s", ex, r.stdout)
	}
}

// createsDB are the actions that make a database, with its first entries.
var createsDB = map[string]bool{"demo": true, "init": true, "import": true}

// recordless actions touch no record but the organisation or its files.
var recordless = map[string]bool{"backup": true, "export": true, "import": true, "audit export": true, "audit anchor": true,
	"audit prune": true, "settings set": true, "org rename": true, "billing set-payment": true, "org delete": true,
	"demo": true, "init": true}

// exampleCommand is the name of the command an example line runs.
func exampleCommand(ex string) string {
	_, rest, _ := strings.Cut(ex[strings.LastIndex(ex, "gatehouse "):], "gatehouse ")
	words := strings.Fields(rest)
	for n := min(2, len(words)); n > 0; n-- {
		name := strings.Join(words[:n], " ")
		for _, c := range commands {
			if c.name == name {
				return name
			}
		}
	}
	return ""
}

func lastAuditID(t *testing.T, path string) int64 {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	var id int64
	sqlDB(t, path).QueryRow(`SELECT coalesce(max(id), 0) FROM audit_log`).Scan(&id)
	return id
}

func newAuditIDs(t *testing.T, path string, after int64) []int64 {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	rows, err := sqlDB(t, path).Query(`SELECT id FROM audit_log WHERE id > ? ORDER BY id`, after)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}
