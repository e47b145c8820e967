package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"

	"gatehouse/db"
)

// A write given up on for another writer is one plain line; with --json
// what SQLite said is the error's detail, for logs.
func TestStayedBusyIsOnePlainLine(t *testing.T) {
	busy := fmt.Errorf("set role: %w", db.StayedBusyError{Err: fmt.Errorf("begin: %w", sqlite3.Error{Code: sqlite3.ErrBusy})})
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut}
	c := &command{name: "staff set-role"}
	if code := a.report(c, busy); code != exitFail {
		t.Fatalf("exit %d, want %d", code, exitFail)
	}
	line := errOut.String()
	if strings.Count(line, "\n") != 1 || strings.Contains(line, "begin") || strings.Contains(line, "locked") ||
		!strings.Contains(line, "stayed busy") || !strings.Contains(line, "nothing was changed, try again") {
		t.Fatalf("the line says %q", line)
	}
	errOut.Reset()
	a.json = true
	a.report(c, busy)
	var e jsonError
	if err := json.Unmarshal(errOut.Bytes(), &e); err != nil || strings.Contains(e.Error, "begin") || !strings.Contains(e.Detail, "begin") {
		t.Fatalf("--json: %v %s", err, errOut.String())
	}
	// Without a terminal on standard error there is no waiting line.
	if ctx := a.withWaitNotice(t.Context()); ctx != t.Context() {
		t.Fatal("a command whose standard error is no terminal would print the waiting line")
	}
}
