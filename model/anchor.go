package model

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gatehouse/db"
)

// An anchor is a checkpoint of the audit chain kept off the database
// file: the number of entries written so far (the head entry's id), the
// head hash and the time, signed with a key that is not in the database.
// Whoever can write the file can delete its newest entries or rewrite the
// whole chain with fresh hashes; a checkpoint they cannot reach (another
// disk, another machine, a log shipper) still names the head the log had,
// so a log shorter than it, or that differs from it, is found.

// AnchorKeySuffix and AnchorFileSuffix name the default key and anchor
// file beside the database: gatehouse.db.anchor-key, gatehouse.db.anchors.
const (
	AnchorKeySuffix  = ".anchor-key"
	AnchorFileSuffix = ".anchors"
)

// checkpointDomain opens the signed message, so that the signature means
// nothing in any other protocol.
const checkpointDomain = "gatehouse audit checkpoint v1"

// Checkpoint is one anchor: the chain had Entries entries (ids 1 to
// Entries) and its head hash was Head at At.
type Checkpoint struct {
	Entries int64     `json:"entries"`
	Head    string    `json:"head"`
	At      time.Time `json:"at"`
	Key     string    `json:"key,omitempty"` // ed25519 public key, base64
	Sig     string    `json:"sig,omitempty"` // signature of message(), base64
	// Where the checkpoint came from, to name it: the file and line, or
	// "the hash given".
	Source string `json:"-"`
}

func (c Checkpoint) message() []byte {
	return []byte(fmt.Sprintf("%s\n%d\n%s\n%d\n", checkpointDomain, c.Entries, c.Head, c.At.UnixNano()))
}

// Name says which checkpoint this is, for messages.
func (c Checkpoint) Name() string {
	if c.Entries == 0 {
		return fmt.Sprintf("checkpoint %s (head %s)", c.Source, c.Head)
	}
	return fmt.Sprintf("checkpoint %s (entry %d, head %s…, %s)", c.Source, c.Entries, shortHash(c.Head), c.At.UTC().Format(time.RFC3339))
}

// Line is the checkpoint as a line of an anchor file.
func (c Checkpoint) Line() string {
	b, _ := json.Marshal(c)
	return string(b)
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// DefaultAnchorKey and DefaultAnchorFile are the key and anchor file beside
// the database at dbPath.
func DefaultAnchorKey(dbPath string) string  { return dbPath + AnchorKeySuffix }
func DefaultAnchorFile(dbPath string) string { return dbPath + AnchorFileSuffix }

// LoadAnchorKey reads the signing key at path: an ed25519 private key in
// PKCS #8 PEM or OpenSSH form (the server's ed25519 host key will do).
// With create, a missing key is made (mode 0600) the first time.
func LoadAnchorKey(path string, create bool) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return createAnchorKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("anchor key: %w", err)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("anchor key %s: readable by others (mode %o); run chmod 600 %s", path, info.Mode().Perm(), path)
	}
	raw, err := gossh.ParseRawPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("anchor key %s: %w", path, err)
	}
	switch k := raw.(type) {
	case ed25519.PrivateKey:
		return k, nil
	case *ed25519.PrivateKey:
		return *k, nil
	}
	return nil, fmt.Errorf("anchor key %s: not an ed25519 key (%T)", path, raw)
}

func createAnchorKey(path string) (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("anchor key: generate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("anchor key: encode: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("anchor key: %w", err)
	}
	// O_EXCL: two processes creating it at once keep the winner's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadAnchorKey(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("anchor key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("anchor key: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("anchor key: write %s: %w", path, err)
	}
	return priv, nil
}

// SignCheckpoint signs c with key.
func SignCheckpoint(c Checkpoint, key ed25519.PrivateKey) Checkpoint {
	c.At = time.Unix(0, c.At.UnixNano()).UTC()
	c.Key = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.message()))
	return c
}

// checkSignature verifies c against pub (the key that should have signed
// it), or against the key it carries when pub is nil.
func (c Checkpoint) checkSignature(pub ed25519.PublicKey) error {
	if pub == nil {
		k, err := base64.StdEncoding.DecodeString(c.Key)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return errors.New("it carries no valid public key")
		}
		pub = k
	} else if c.Key != base64.StdEncoding.EncodeToString(pub) {
		return errors.New("it was signed with another key than the anchor key")
	}
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	if err != nil || !ed25519.Verify(pub, c.message(), sig) {
		return errors.New("its signature does not match its content")
	}
	return nil
}

// maxAnchorLine bounds one line of an anchor file.
const maxAnchorLine = 4096

// ReadAnchorFile reads every checkpoint in an anchor file (one JSON object
// a line), in file order. A line that is not a checkpoint is an error
// naming it: an anchor file is not edited by hand.
func ReadAnchorFile(path string) ([]Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("anchor file: %w", err)
	}
	defer f.Close()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, maxAnchorLine), maxAnchorLine)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal([]byte(text), &c); err != nil || c.Entries <= 0 || !isHash(c.Head) {
			return nil, fmt.Errorf("anchor file %s, line %d: not a checkpoint", path, line)
		}
		c.Source = fmt.Sprintf("%s:%d", path, line)
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("anchor file %s, after line %d: %w", path, line, err)
	}
	return out, nil
}

// AppendAnchorFile adds c as a line at the end of the anchor file at path
// (created 0600), and syncs it to the disk.
func AppendAnchorFile(path string, c Checkpoint) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("anchor file: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("anchor file: %w", err)
	}
	if _, err := f.WriteString(c.Line() + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("anchor file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("anchor file %s: %w", path, err)
	}
	return f.Close()
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// ParseHeadHash reads a head hash given as an anchor (`audit verify
// --anchor HASH`): 64 hex digits, or ENTRIES:HASH.
func ParseHeadHash(s string) (Checkpoint, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	c := Checkpoint{Source: "given on the command line"}
	if n, h, ok := strings.Cut(s, ":"); ok {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v <= 0 {
			return c, false
		}
		c.Entries, s = v, h
	}
	if !isHash(s) {
		return c, false
	}
	c.Head = s
	return c, true
}

// AnchorResult is what `audit anchor` made.
type AnchorResult struct {
	Checkpoint Checkpoint
	// Walked is how many entries were verified before signing: those
	// since the latest checkpoint in the file, or the whole chain.
	Walked int64
	// Unchanged: the head is the latest checkpoint's; nothing was written.
	Unchanged bool
}

// Anchor writes a checkpoint of the chain to the anchor file at path,
// signed with key. It first verifies the entries since the latest
// checkpoint in that file (all of them when there is none) so that it
// never signs a broken chain, then records audit.anchor in the log and
// signs the head that entry makes. With skipUnchanged (serve's timer) a
// head that is already the latest checkpoint's is not anchored again.
func (s *Service) Anchor(ctx context.Context, p Principal, key ed25519.PrivateKey, path string, skipUnchanged bool) (AnchorResult, error) {
	var res AnchorResult
	a, err := s.readActor(ctx, p)
	if err != nil {
		return res, err
	}
	if d := MayVerifyAudit(a); !d.Allowed {
		return res, &DeniedError{Decision: d}
	}
	var from db.ChainPosition
	var last *Checkpoint
	if cps, err := ReadAnchorFile(path); err == nil && len(cps) > 0 {
		latest := cps[0]
		for _, c := range cps {
			if c.Entries > latest.Entries {
				latest = c
			}
		}
		if err := latest.checkSignature(key.Public().(ed25519.PublicKey)); err != nil {
			return res, fmt.Errorf("anchor: the latest %s cannot be used: %v; restore the key it was signed with, or start a new anchor file; nothing was signed", latest.Name(), err)
		}
		last, from = &latest, db.ChainPosition{ID: latest.Entries, Hash: latest.Head}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("anchor: %w", err)
	}
	st, brk, err := db.VerifyAuditChain(ctx, s.db.Read(), from)
	if err != nil {
		return res, fmt.Errorf("anchor: %w", err)
	}
	if brk != nil {
		what := "the audit chain"
		if last != nil {
			what = "the audit chain since the " + last.Name()
		}
		return res, fmt.Errorf("anchor: %s is broken at entry %d: %s; nothing was signed", what, brk.ID, brk.Reason)
	}
	res.Walked = st.Entries
	if skipUnchanged && last != nil && st.LastID == last.Entries && st.Head == last.Head {
		res.Checkpoint, res.Unchanged = *last, true
		return res, nil
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if d := MayVerifyAudit(a); !d.Allowed {
			return nil, &DeniedError{Decision: d}
		}
		after := map[string]any{"file": path, "walked_to": st.LastID}
		return []change{{Action: "audit.anchor", TargetKind: "audit", Target: filepath.Base(path), After: after}}, nil
	})
	if err != nil {
		return res, fmt.Errorf("anchor: %w", err)
	}
	// The checkpoint covers the audit.anchor entry itself, and whatever
	// was appended since the walk: those are walked too before signing.
	walked := db.ChainPosition{ID: st.LastID, Hash: st.Head}
	if st.LastID == 0 {
		walked = db.ChainPosition{}
	}
	end, brk, err := db.VerifyAuditChain(ctx, s.db.Read(), walked)
	if err != nil {
		return res, fmt.Errorf("anchor: %w", err)
	}
	if brk != nil {
		return res, fmt.Errorf("anchor: the audit chain is broken at entry %d: %s; nothing was signed", brk.ID, brk.Reason)
	}
	res.Walked += end.Entries
	cp := SignCheckpoint(Checkpoint{Entries: end.LastID, Head: end.Head, At: s.Now()}, key)
	if err := AppendAnchorFile(path, cp); err != nil {
		return res, fmt.Errorf("anchor: the log records the anchor, but it was not written: %w", err)
	}
	cp.Source = path
	res.Checkpoint = cp
	return res, nil
}

// AnchorReport is what verifying the log against checkpoints found.
type AnchorReport struct {
	Chain db.ChainState
	// Checked is how many checkpoints the log matches; Unreachable how
	// many name entries since pruned, which only an export made before
	// the pruning can check.
	Checked, Unreachable int
	// From is the checkpoint the walk started at (fromLatest), nil when
	// the whole chain was walked.
	From *Checkpoint
	// KeyMissing: no anchor key to check signatures with; each was checked
	// against the key it carries, which shows damage but not forgery.
	KeyMissing bool
	latest     *Checkpoint // the newest checkpoint the log matches
}

// VerifyAgainst checks the log against checkpoints: every signature, then
// that the log reaches each checkpoint and holds its head hash there,
// then the chain. With fromLatest the walk starts at the latest
// checkpoint the log matches, so its cost follows the entries written
// since; otherwise the whole chain is walked as well. pub is the anchor
// key's public half (nil when it is not at hand).
//
// When a checkpoint does not hold, the whole chain is still walked, so
// that the report's count is of entries walked and says whether the log
// is at least consistent in itself.
func (s *Service) VerifyAgainst(ctx context.Context, p Principal, cps []Checkpoint, pub ed25519.PublicKey, fromLatest bool) (AnchorReport, *ChainBreak, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return AnchorReport{}, nil, err
	}
	if d := MayVerifyAudit(a); !d.Allowed {
		return AnchorReport{}, nil, &DeniedError{Decision: d}
	}
	q := s.db.Read()
	rep, brk, err := matchCheckpoints(ctx, q, cps, pub)
	if err != nil {
		return rep, nil, err
	}
	var from db.ChainPosition
	if brk == nil && fromLatest && rep.latest != nil {
		from, rep.From = db.ChainPosition{ID: rep.latest.Entries, Hash: rep.latest.Head}, rep.latest
	}
	st, walkBrk, err := db.VerifyAuditChain(ctx, q, from)
	rep.Chain = st
	if brk == nil {
		brk = walkBrk
	}
	return rep, brk, err
}

// matchCheckpoints checks each checkpoint's signature and that the log
// holds its head hash at its entry; the report's latest is the newest
// checkpoint the log matches.
func matchCheckpoints(ctx context.Context, q db.Querier, cps []Checkpoint, pub ed25519.PublicKey) (AnchorReport, *ChainBreak, error) {
	var rep AnchorReport
	rep.KeyMissing = pub == nil
	for _, c := range cps {
		if c.Sig == "" && c.Key == "" && c.Source == "given on the command line" {
			continue // a head hash typed in carries no signature
		}
		if err := c.checkSignature(pub); err != nil {
			return rep, &ChainBreak{ID: c.Entries, Reason: fmt.Sprintf("%s cannot be trusted: %v", c.Name(), err)}, nil
		}
	}
	first, last, err := db.AuditBounds(ctx, q)
	if err != nil {
		return rep, nil, fmt.Errorf("verify audit: %w", err)
	}
	pruned, err := db.PruneRecords(ctx, q)
	if err != nil {
		return rep, nil, err
	}
	resolved := make([]Checkpoint, 0, len(cps))
	for _, c := range cps {
		if c.Entries == 0 {
			id, err := db.AuditIDOfHash(ctx, q, c.Head)
			if err != nil {
				return rep, nil, fmt.Errorf("verify audit: %w", err)
			}
			if id == 0 {
				return rep, &ChainBreak{ID: last, Reason: fmt.Sprintf("the log holds no entry with the head hash of %s: it was cut short or rewritten", c.Name())}, nil
			}
			c.Entries = id
		}
		resolved = append(resolved, c)
	}
	sort.SliceStable(resolved, func(i, j int) bool { return resolved[i].Entries < resolved[j].Entries })
	for i, c := range resolved {
		if c.Entries > last {
			return rep, &ChainBreak{ID: c.Entries, Reason: fmt.Sprintf("the log ends at entry %d, shorter than %s, which saw %d entries: the newest entries were deleted",
				last, c.Name(), c.Entries)}, nil
		}
		if c.Entries < first {
			// Pruned since: a prune checkpoint at exactly this entry still
			// holds its hash; otherwise only an export can check it.
			matched := false
			for _, r := range pruned {
				if r.ThroughID == c.Entries {
					if r.Head != c.Head {
						return rep, &ChainBreak{ID: c.Entries, Reason: fmt.Sprintf("the prune checkpoint of entries up to %d records head %s…, but %s recorded %s…: the log diverges from it",
							c.Entries, shortHash(r.Head), c.Name(), shortHash(c.Head))}, nil
					}
					matched = true
				}
			}
			if matched {
				rep.Checked++
			} else {
				rep.Unreachable++
			}
			continue
		}
		h, err := db.AuditHashAt(ctx, q, c.Entries)
		if err != nil {
			return rep, nil, fmt.Errorf("verify audit: %w", err)
		}
		switch {
		case h == "":
			return rep, &ChainBreak{ID: c.Entries, Reason: fmt.Sprintf("entry %d, the head of %s, is missing", c.Entries, c.Name())}, nil
		case h != c.Head:
			return rep, &ChainBreak{ID: c.Entries, Reason: fmt.Sprintf("entry %d has hash %s…, but %s recorded %s…: the log diverges from it (rewritten)",
				c.Entries, shortHash(h), c.Name(), shortHash(c.Head))}, nil
		}
		rep.Checked++
		rep.latest = &resolved[i]
	}
	return rep, nil, nil
}
