// Command joinflood is the join-flood soak of docs/security.md: it starts
// the real `gatehouse serve` on a demo database, bound to loopback, and
// while many strangers with fresh keys run `join` with codes that redeem
// nothing, it measures the server's resident memory and how long a
// member's command takes, against the same command on the idle server.
//
//	go run ./bench/joinflood                     # 200 concurrent joins for 20 s
//	go run ./bench/joinflood -joins 200 -duration 30s -bin ./gatehouse
//
// It is bounded: loopback only, at most 1,000 concurrent joins and two
// minutes of flood, and everything it made is removed at the end. The
// strangers connect from 127.0.0.1 and the member from 127.0.0.2 (two
// addresses, as an attacker and an on-call member would be): the
// per-address caps are what a member behind the attacker's own address
// would meet.
package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

const (
	maxJoins    = 1000
	maxDuration = 2 * time.Minute
	member      = "priya.nair@northwind.example" // a demo Admin without 2FA
	command     = "roles list"
	// Targets (docs/security.md).
	targetRSSMiB = 300
	targetRatio  = 2.0
)

func main() {
	joins := flag.Int("joins", 200, "concurrent bogus joins (at most 1000)")
	duration := flag.Duration("duration", 20*time.Second, "how long the flood lasts (at most 2m)")
	idleRuns := flag.Int("idle-runs", 200, "member commands timed on the idle server")
	bin := flag.String("bin", "", "the gatehouse binary (default: build it)")
	flag.Parse()
	if *joins < 1 || *joins > maxJoins || *duration <= 0 || *duration > maxDuration {
		fail(fmt.Errorf("-joins is 1 to %d and -duration at most %s", maxJoins, maxDuration))
	}
	if err := soak(*bin, *joins, *duration, *idleRuns); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "joinflood:", err)
	os.Exit(1)
}

func soak(bin string, joins int, duration time.Duration, idleRuns int) error {
	dir, err := os.MkdirTemp("", "gatehouse-joinflood-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "gatehouse")
		build := exec.Command("go", "build", "-o", bin, ".")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	dbPath := filepath.Join(dir, "g.db")
	if out, err := exec.Command(bin, "--db", dbPath, "demo", "--no-tui").CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %v\n%s", err, out)
	}
	signer, err := keyFile(filepath.Join(dir, "member"))
	if err != nil {
		return err
	}
	if out, err := exec.Command(bin, "--db", dbPath, "keys", "add", member, filepath.Join(dir, "member.pub")).CombinedOutput(); err != nil {
		return fmt.Errorf("keys add: %v\n%s", err, out)
	}
	srv, addr, err := serve(bin, dbPath)
	if err != nil {
		return err
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}()
	pid := srv.Process.Pid

	// Warm up, then the member's command on the idle server.
	for range 3 {
		if _, err := memberCommand(addr, signer); err != nil {
			return fmt.Errorf("member command: %w", err)
		}
	}
	var idle []time.Duration
	for range idleRuns {
		d, err := memberCommand(addr, signer)
		if err != nil {
			return fmt.Errorf("member command: %w", err)
		}
		idle = append(idle, d)
	}
	rssIdle := rssKiB(pid, "VmRSS")
	cpuBefore := cpuTime(pid)
	floodStart := time.Now()

	// The flood, with the member's command timed throughout.
	stop := make(chan struct{})
	var st floodStats
	var wg sync.WaitGroup
	for range joins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			flood(addr, stop, &st)
		}()
	}
	var peakSampled int64
	sampleDone := make(chan struct{})
	go func() {
		defer close(sampleDone)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				peakSampled = max(peakSampled, rssKiB(pid, "VmRSS"))
			}
		}
	}()
	time.Sleep(2 * time.Second) // let the flood build up
	var busy []time.Duration
	var memberErrs int
	deadline := time.Now().Add(duration - 2*time.Second)
	for time.Now().Before(deadline) {
		d, err := memberCommand(addr, signer)
		if err != nil {
			memberErrs++
			continue
		}
		busy = append(busy, d)
	}
	close(stop)
	wg.Wait()
	<-sampleDone
	peak := max(rssKiB(pid, "VmHWM"), peakSampled)
	serverCPU := cpuTime(pid) - cpuBefore
	floodTime := time.Since(floodStart)

	idleMed, busyMed := percentile(idle, 50), percentile(busy, 50)
	ratio := float64(busyMed) / float64(idleMed)
	fmt.Printf("join flood: %d concurrent bogus joins for %s against gatehouse serve on %s (%d CPUs)\n", joins, duration, addr, numCPU())
	fmt.Printf("  joins answered \"no invitation\": %d; refused while signing in (caps): %d; other errors: %d\n",
		st.answered.Load(), st.refused.Load(), st.errors.Load())
	fmt.Printf("  server CPU during the flood: %.2f s in %.1f s (%.0f%% of one core)\n", serverCPU.Seconds(), floodTime.Seconds(), 100*serverCPU.Seconds()/floodTime.Seconds())
	fmt.Printf("  server RSS: %.1f MiB idle, %.1f MiB peak (target < %d MiB)\n", mib(rssIdle), mib(peak), targetRSSMiB)
	fmt.Printf("  member's `%s` over a fresh connection: idle median %s (p90 %s, %d runs); during the flood median %s (p90 %s, %d runs, %d failed)\n",
		command, ms(idleMed), ms(percentile(idle, 90)), len(idle), ms(busyMed), ms(percentile(busy, 90)), len(busy), memberErrs)
	fmt.Printf("  ratio %.2f× (target < %.0f×)\n", ratio, targetRatio)
	ok := mib(peak) < targetRSSMiB && ratio < targetRatio && memberErrs == 0 && len(busy) > 0
	if !ok {
		// Returned, not exited: the server and the files go first.
		return errors.New("targets missed")
	}
	fmt.Println("  targets met")
	return nil
}

type floodStats struct{ answered, refused, errors atomic.Int64 }

// flood runs `join` with a code that redeems nothing, from a fresh key
// each time, until stop.
func flood(addr string, stop <-chan struct{}, st *floodStats) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signer, _ := gossh.NewSignerFromKey(priv)
		out, err := run(addr, "127.0.0.1", signer, "join aaaaaa-bbbbbb-cccccc-dddddd", 10*time.Second)
		switch {
		case strings.Contains(out, "no invitation has that code"):
			st.answered.Add(1)
		case err != nil && refusedWhileSigningIn(err):
			st.refused.Add(1)
			// An ssh client refused this way exits; a script tries again
			// a moment later.
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
		default:
			st.errors.Add(1)
		}
	}
}

func refusedWhileSigningIn(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "unable to authenticate") ||
		strings.Contains(msg, "handshake failed")
}

// memberCommand runs the member's command as `ssh HOST roles list` does:
// a new connection, the key, the command.
func memberCommand(addr string, signer gossh.Signer) (time.Duration, error) {
	start := time.Now()
	out, err := run(addr, "127.0.0.2", signer, command, 30*time.Second)
	d := time.Since(start)
	if err != nil {
		return d, err
	}
	if !strings.Contains(out, "Owner") {
		return d, fmt.Errorf("unexpected output %q", out)
	}
	return d, nil
}

// run connects from src, signs in with signer, runs cmd and returns what
// it printed (standard output and error).
func run(addr, src string, signer gossh.Signer, cmd string, timeout time.Duration) (string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: timeout}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	c, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{
		User: "soak", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		return "", err
	}
	client := gossh.NewClient(c, chans, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	out, err := s.CombinedOutput(cmd)
	var exit *gossh.ExitError
	if errors.As(err, &exit) {
		err = nil
	}
	return string(out), err
}

// serve starts `gatehouse serve` on a free loopback port and waits until
// it listens.
func serve(bin, dbPath string) (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--db", dbPath, "serve", "--listen", addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "listening on") {
				said = true
				listening <- true
			}
		}
		if !said {
			listening <- false
		}
	}()
	select {
	case ok := <-listening:
		if !ok {
			cmd.Wait()
			return nil, "", errors.New("gatehouse serve stopped before listening")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", errors.New("gatehouse serve did not listen")
	}
	return cmd, addr, nil
}

// keyFile writes an ed25519 key pair (path, path.pub) and returns its signer.
func keyFile(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "soak")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	return signer, os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644)
}

// rssKiB reads a field (VmRSS, VmHWM) of /proc/PID/status.
func rssKiB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// cpuTime is the user and system CPU time of a process so far.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: the fields start after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p)/100)]
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
