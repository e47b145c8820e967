package model

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// The anchor key is made 0600 on first use and kept; an ed25519 OpenSSH
// key (the server's host key) will do; a key others can read is refused.
func TestAnchorKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db"+AnchorKeySuffix)
	if _, err := LoadAnchorKey(path, false); err == nil {
		t.Fatal("a missing key was loaded without create")
	}
	k1, err := LoadAnchorKey(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %o", st.Mode().Perm())
	}
	k2, err := LoadAnchorKey(path, true)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("the key was not kept: %v", err)
	}
	_, host, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := gossh.MarshalPrivateKey(host, "host")
	hostPath := filepath.Join(dir, "gatehouse_host_ed25519")
	os.WriteFile(hostPath, pem.EncodeToMemory(block), 0o600)
	if k, err := LoadAnchorKey(hostPath, false); err != nil || !k.Equal(host) {
		t.Fatalf("the host key as anchor key: %v", err)
	}
	os.Chmod(hostPath, 0o644)
	if _, err := LoadAnchorKey(hostPath, false); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a key readable by others: %v", err)
	}
}

// A checkpoint verifies against the key that signed it and no other, and
// not once any of its fields changed; an anchor file names a bad line.
func TestCheckpointSignatures(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	c := SignCheckpoint(Checkpoint{Entries: 42, Head: strings.Repeat("ab", 32), At: time.Unix(1700000000, 5)}, key)
	pub := key.Public().(ed25519.PublicKey)
	if err := c.checkSignature(pub); err != nil {
		t.Fatal(err)
	}
	if err := c.checkSignature(other.Public().(ed25519.PublicKey)); err == nil {
		t.Fatal("verified with another key")
	}
	for name, edit := range map[string]func(*Checkpoint){
		"entries": func(c *Checkpoint) { c.Entries++ },
		"head":    func(c *Checkpoint) { c.Head = strings.Repeat("cd", 32) },
		"time":    func(c *Checkpoint) { c.At = c.At.Add(time.Nanosecond) },
	} {
		d := c
		edit(&d)
		if err := d.checkSignature(pub); err == nil {
			t.Errorf("changing %s keeps the signature valid", name)
		}
	}
	path := filepath.Join(t.TempDir(), "a.anchors")
	if err := AppendAnchorFile(path, c); err != nil {
		t.Fatal(err)
	}
	cps, err := ReadAnchorFile(path)
	if err != nil || len(cps) != 1 || cps[0].checkSignature(pub) != nil || cps[0].Source != path+":1" {
		t.Fatalf("read back: %+v, %v", cps, err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString("{\"entries\": \"many\"}\n")
	f.Close()
	if _, err := ReadAnchorFile(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a bad line: %v", err)
	}
	for in, ok := range map[string]bool{strings.Repeat("ab", 32): true, "12:" + strings.Repeat("AB", 32): true, "abc": false, "0:" + strings.Repeat("ab", 32): false} {
		if _, got := ParseHeadHash(in); got != ok {
			t.Errorf("ParseHeadHash(%q) = %v", in, got)
		}
	}
}
