package tui

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gatehouse/internal/tmuxtest"
)

// cliJSON runs the real binary with args and decodes what it prints.
func cliJSON(t *testing.T, bin string, out any, args ...string) {
	t.Helper()
	raw := cliText(t, bin, args...)
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		t.Fatalf("gatehouse %s: not JSON: %v\n%s", strings.Join(args, " "), err, raw)
	}
}

// cliText runs the real binary with args and returns its standard output;
// a non-zero exit fails the test.
func cliText(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cmd.Environ(), "GATEHOUSE_DB=")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("gatehouse %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

type cliMember struct {
	Email  string `json:"email"`
	Status string `json:"status"`
	Role   string `json:"role"`
}

type cliAudit struct {
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Target string `json:"target"`
	After  string `json:"after"`
}

// memberStatus is a member's status as `gatehouse staff list --json` says.
func memberStatus(t *testing.T, bin, dbPath, email string) string {
	t.Helper()
	var staff []cliMember
	cliJSON(t, bin, &staff, "staff", "list", "--json", "--db", dbPath)
	for _, m := range staff {
		if strings.EqualFold(m.Email, email) {
			return m.Status
		}
	}
	t.Fatalf("staff list has no %s: %+v", email, staff)
	return ""
}

// auditLog is the audit log, newest first, as `gatehouse audit list
// --json` gives it; with email, only the entries about that member.
func auditLog(t *testing.T, bin, dbPath, email string) []cliAudit {
	t.Helper()
	args := []string{"audit", "list", "--json", "--limit", "500", "--db", dbPath}
	if email != "" {
		args = append(args, "--staff", email)
	}
	var entries []cliAudit
	cliJSON(t, bin, &entries, args...)
	return entries
}

// findAudit returns the newest entry with action by actor, or fails with
// the log.
func findAudit(t *testing.T, entries []cliAudit, action, actor string) cliAudit {
	t.Helper()
	for _, e := range entries {
		if e.Action == action && strings.EqualFold(e.Actor, actor) {
			return e
		}
	}
	t.Fatalf("no %s by %s in the audit log: %+v", action, actor, entries)
	return cliAudit{}
}

// auditLine fails unless the plain `gatehouse audit list` output has a
// line naming actor, action and target together.
func auditLine(t *testing.T, text, actor, action, target string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, actor) && strings.Contains(line, " "+action+" ") && strings.Contains(line, target) {
			return
		}
	}
	t.Fatalf("audit list has no line with %s %s %s:\n%s", actor, action, target, text)
}

// deactivateFromStaff finds a member on the Staff screen with the filter,
// opens them and deactivates them, answering the confirmation.
func deactivateFromStaff(s *tmuxSession, filter, name, email string) {
	s.t.Helper()
	s.waitFor("Staff", "n invite")
	s.send("/")
	s.waitFor("Staff", "/ name or email")
	s.send(filter, "Enter")
	s.waitFor("filter: "+filter, "Staff 1 of 1", name)
	s.send("", "Enter")
	s.waitFor(name, "Status active", "d deactivate")
	s.send("d")
	s.waitFor("Deactivate "+name, "y deactivate")
	s.send("y")
	s.waitFor(email+" is deactivated", "Status deactivated")
}

// TestEndToEndDeactivateFromStaffInTmux is issue 3: in the demo, find a
// member with /, deactivate them from the Staff screen and quit; the CLI
// then lists them as deactivated and the audit log holds the Owner's
// deactivation.
func TestEndToEndDeactivateFromStaffInTmux(t *testing.T) {
	bin := e2eBinary(t)
	t.Parallel()
	const owner, leo = "olivia.hart@northwind.example", "leo.martins@northwind.example"
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	s := startTmux(t, tmuxtest.NewServer(t), "app", bin, "demo", "--db", dbPath)
	s.waitFor("Olivia Hart · Owner", "Leo Martins")

	deactivateFromStaff(s, "leo", "Leo Martins", leo)
	s.send("q")
	s.waitGone("q")

	if got := memberStatus(t, bin, dbPath, leo); got != "deactivated" {
		t.Fatalf("staff list --json says %s is %q, want deactivated", leo, got)
	}
	e := findAudit(t, auditLog(t, bin, dbPath, leo), "staff.deactivate", owner)
	if !strings.Contains(e.After, "deactivated") {
		t.Fatalf("the deactivation's after state is %s", e.After)
	}
	auditLine(t, cliText(t, bin, "audit", "list", "--db", dbPath), owner, "staff.deactivate", leo)
}

var joinCommand = regexp.MustCompile(`gatehouse join ([a-z0-9]+(?:-[a-z0-9]+)+)`)

// TestEndToEndNewcomerJourneyInTmux is issue 3's newcomer: an empty
// database, an organisation made through the first run, a member invited
// from the Staff screen, the invitation redeemed in a second terminal with
// `gatehouse join`, the member signing in there, then deactivated from the
// first terminal, which ends their open session. The audit log holds the
// invitation, the join, the sign-in and the deactivation.
func TestEndToEndNewcomerJourneyInTmux(t *testing.T) {
	bin := e2eBinary(t)
	t.Parallel()
	const owner, nina = "tess@tmux.test", "nina@tmux.test"
	dbPath := filepath.Join(t.TempDir(), "gatehouse.db")
	server := tmuxtest.NewServer(t)
	admin := startTmux(t, server, "app", bin, "--db", dbPath)
	firstRun(admin, "Tmux Partners", "Tess Owner", owner)

	// Invite from the Staff screen and read the code off it.
	admin.waitFor("Staff", "n invite")
	admin.send("n")
	admin.waitFor("Invite a staff member", "Email")
	admin.send(nina, "Tab")
	admin.send("Nina Newcomer", "Enter")
	scr := admin.pane.Until("invitation with its code", func(scr string) bool {
		return strings.Contains(scr, "Invitation created") && joinCommand.MatchString(scr)
	})
	code := joinCommand.FindStringSubmatch(scr)[1]
	admin.send("", "Enter")

	// The newcomer redeems it in a second terminal: password, then
	// two-factor enrolment from the secret on screen.
	joiner := startTmux(t, server, "newcomer", bin, "join", code, "--db", dbPath)
	joiner.waitFor("Join Tmux Partners", "Nina Newcomer", "Choose a password")
	joiner.send("newcomer horse battery", "Enter")
	joiner.send("newcomer horse battery", "Enter")
	// Two-factor sign-in is either offered (enter sets it up) or, where
	// the organisation requires it, begun at once. The join form itself
	// may mention it, so the wait is for either step's own words.
	if joiner.waitAny("set it up now", "Set up two-factor sign-in") == "set it up now" {
		joiner.send("", "Enter")
	}
	recovery := joiner.enrolFromScreen()
	joiner.waitFor("Tmux Partners", "Nina Newcomer · Advisor", "Staff")
	joiner.send("q")
	joiner.waitGone("q after joining")

	// They sign in afresh. The enrolment code's time step is spent, so the
	// second step takes a recovery code rather than waiting for the next.
	joiner = startTmux(t, server, "newcomer", bin, "--db", dbPath)
	joiner.waitFor("Sign in to Gatehouse", "Email")
	joiner.send(nina, "Enter")
	joiner.send("newcomer horse battery", "Enter")
	joiner.waitFor("recovery code")
	joiner.send(recovery, "Enter")
	joiner.waitFor("Tmux Partners", "Nina Newcomer · Advisor", "Staff")

	// Back in the first terminal the Owner deactivates them; their open
	// session ends at once.
	deactivateFromStaff(admin, "nina", "Nina Newcomer", nina)
	joiner.waitFor("your account was deactivated")
	admin.send("q")
	admin.waitGone("q")

	if got := memberStatus(t, bin, dbPath, nina); got != "deactivated" {
		t.Fatalf("staff list --json says %s is %q, want deactivated", nina, got)
	}
	// The invitation came before the member existed, so it is found in
	// the whole log rather than the member's own.
	log := auditLog(t, bin, dbPath, "")
	if e := findAudit(t, log, "invitation.create", owner); e.Target != nina {
		t.Fatalf("the invitation is for %s, want %s", e.Target, nina)
	}
	findAudit(t, log, "invitation.accept", nina)
	findAudit(t, log, "auth.recovery-code", nina)
	findAudit(t, log, "staff.deactivate", owner)
	text := cliText(t, bin, "audit", "list", "--db", dbPath)
	auditLine(t, text, owner, "invitation.create", nina)
	auditLine(t, text, nina, "invitation.accept", nina)
	auditLine(t, text, owner, "staff.deactivate", nina)
}
