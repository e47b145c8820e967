package cli

import (
	"strings"
	"testing"
)

// The command list shows each summary's first sentence whole, however
// many lines of the summary it runs over.
func TestHelpListsWholeFirstSentences(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "--help")
	wantCode(t, r, 0)
	for _, c := range commands {
		s := firstSentence(c.summary)
		if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ")") && !strings.HasSuffix(s, "\"") {
			t.Errorf("%s: first sentence %q does not end a sentence", c.name, s)
		}
		if !strings.Contains(r.stdout, "  "+s+"\n") {
			t.Errorf("%s: --help does not show %q whole", c.name, s)
		}
	}
	if got := firstSentence("Roles and grids. It never grants\nmore than you hold, e.g. this. Last."); got != "Roles and grids." {
		t.Errorf("firstSentence = %q", got)
	}
	if got := firstSentence("A label, e.g. \"Visa ending 4242\".\nMore."); got != "A label, e.g. \"Visa ending 4242\"." {
		t.Errorf("firstSentence = %q", got)
	}
}

// completion for a shell it has no script for is a usage error.
func TestCompletionRefusesAnUnknownShell(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "completion", "tcsh")
	if r.code != exitUsage || !strings.Contains(r.stderr, `no completion script for "tcsh"`) || r.stdout != "" {
		t.Fatalf("completion tcsh: %+v", r)
	}
	r = runCLI(t, "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "bash completion") {
		t.Fatalf("completion bash: exit %d\n%s", r.code, r.stderr)
	}
}
