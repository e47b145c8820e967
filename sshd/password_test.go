package sshd

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestPasswordsAreNeverAsked: without a registered key the server neither
// takes a password nor asks anything by keyboard-interactive; the methods
// it names are public keys only.
func TestPasswordsAreNeverAsked(t *testing.T) {
	f := newFixture(t, Config{})
	f.member("ada@example.com", "Admin")
	var asked []string
	_, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "ada@example.com",
		Auth: []gossh.AuthMethod{
			gossh.Password("correct horse battery"),
			gossh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				asked = append(asked, questions...)
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = "correct horse battery"
				}
				return answers, nil
			}),
		},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
	if err == nil {
		t.Fatal("signed in without a key")
	}
	if len(asked) > 0 {
		t.Fatalf("the server asked %q without a key", asked)
	}
	// The client tried only "none": the server offered neither password
	// nor keyboard-interactive, so the client had nothing it could use.
	if !strings.Contains(err.Error(), "attempted methods [none]") || !strings.Contains(err.Error(), "no supported methods remain") {
		t.Fatalf("refusal %v: the server offered a method other than public keys", err)
	}
}
