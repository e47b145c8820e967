package sshd

import (
	"io"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/ssh"
)

// Colours over SSH. The app's theme draws with lipgloss's global renderer,
// which one server shares between every session, so per-session renderers
// never reach it. The server therefore renders at the richest profile (24-
// bit colour, set in `gatehouse serve`) and each session's output is
// brought down to what the client's terminal shows, as it is written.

// clientProfile is the colour profile of the client's terminal, from the
// TERM of its pty and the environment it sent (COLORTERM, NO_COLOR,
// CLICOLOR_FORCE). Only that environment is read: probing a terminal
// (terminfo files, tmux) here would describe the server's, not the
// client's.
func clientProfile(sess ssh.Session) colorprofile.Profile {
	pty, _, _ := sess.Pty()
	env := append(append([]string(nil), sess.Environ()...), "TERM="+pty.Term)
	p := colorprofile.Env(env)
	// No TTY (TERM unset or dumb) would strip every escape sequence,
	// cursor movement included, and the app could not draw at all: such a
	// terminal gets no colour, and the rest.
	if p < colorprofile.ASCII {
		p = colorprofile.ASCII
	}
	return p
}

// sessionOutput is where the app of sess writes: the session, with
// colours converted to the client's profile (none for a terminal without
// colour or a client that sent NO_COLOR).
func sessionOutput(sess ssh.Session) io.Writer {
	return downsampler{w: &colorprofile.Writer{Forward: sess, Profile: clientProfile(sess)}}
}

// downsampler reports the bytes it was given as written: the converted
// output is shorter or longer than its input, and a writer that reports a
// different count than asked reads as a short write to its callers.
type downsampler struct{ w *colorprofile.Writer }

func (d downsampler) Write(p []byte) (int, error) {
	if _, err := d.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
