package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"gatehouse/model"
)

// The incident commands over SSH and locally: an Admin locks a member
// with a reason and a time to live, lists the lock and the live
// sessions, and lifts it; the locked member's own commands are refused
// with the reason meanwhile; ending a session works by id; locally the
// same commands run as the OS user.
func TestLockAndSessionsCommands(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	admin, advisor := d.member(marcus), d.member(sara)
	row, err := d.svc.OpenSession(d.ctx, advisor, model.SessionInfo{Kind: model.SessionSSH, Address: "192.0.2.1:5555", Fingerprint: "SHA256:test", Doing: "app"})
	if err != nil {
		t.Fatal(err)
	}
	r := d.run(admin, "sessions", "list")
	if r.code != 0 || !strings.Contains(r.stdout, sara) || !strings.Contains(r.stdout, "192.0.2.1:5555") || !strings.Contains(r.stdout, "SHA256:test") || !strings.Contains(r.stdout, "1 live session(s)") {
		t.Fatalf("sessions list: %+v", r)
	}
	r = d.run(admin, "lock", "--staff", sara, "--reason", "suspected phishing", "--ttl", "2h")
	if r.code != 0 || !strings.Contains(r.stdout, "Lock 1: member "+sara+" is locked by "+marcus+" until ") || !strings.Contains(r.stdout, "1 live session(s) ended") {
		t.Fatalf("lock: %+v", r)
	}
	// The advisor's next command is refused with the reason.
	r = d.run(advisor, "staff", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "suspected phishing") {
		t.Fatalf("a locked member's command: %+v", r)
	}
	r = d.run(admin, "sessions", "list", "--json")
	var xs []sessionJSON
	if err := json.Unmarshal([]byte(r.stdout), &xs); err != nil || len(xs) != 1 || xs[0].ID != row || !strings.Contains(xs[0].Ending, "suspected phishing") {
		t.Fatalf("sessions list --json: %v %+v", err, r)
	}
	r = d.run(admin, "lock", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "member "+sara) || !strings.Contains(r.stdout, "suspected phishing") {
		t.Fatalf("lock list: %+v", r)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"lock", "--staff", olivia, "--reason", "x"}, "not allowed"},
		{[]string{"lock", "--staff", sara}, "--reason is required"},
		{[]string{"lock", "--staff", sara, "--role", "Advisor", "--reason", "x"}, "one thing at a time"},
		{[]string{"lock", "--reason", "x"}, "say what to lock"},
		{[]string{"lock", "--staff", marcus, "--reason", "x", "--ttl", "soon"}, "not a duration"},
		{[]string{"unlock", "x"}, "ID is a number"},
		{[]string{"sessions", "end", "999", "--reason", "x"}, "no live session 999"},
	} {
		if r := d.run(admin, c.args...); r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: %+v, want %q", c.args, r, c.want)
		}
	}
	r = d.run(admin, "unlock", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "lifted") {
		t.Fatalf("unlock: %+v", r)
	}
	if r := d.run(advisor, "staff", "list"); r.code != 0 {
		t.Fatalf("after unlock: %+v", r)
	}
	r = d.run(admin, "lock", "list", "--all", "--json")
	var ls []lockJSON
	if err := json.Unmarshal([]byte(r.stdout), &ls); err != nil || len(ls) != 1 || ls[0].InForce || ls[0].LiftedBy != marcus {
		t.Fatalf("lock list --all: %v %+v", err, r)
	}
	// Locally, as the OS user, on the file.
	lr := runCLI(t, "lock", "--role", "Advisor", "--reason", "drill", "--ttl", "1d", "--db", d.path)
	if lr.code != 0 || !strings.Contains(lr.stdout, "role Advisor is locked by ") {
		t.Fatalf("local lock: %+v", lr)
	}
}
