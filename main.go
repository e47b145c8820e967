// Command gatehouse manages which staff of a firm can reach which client
// accounts, with a hash-chained audit log. With no command it opens the
// terminal app; the commands serve scripts and on-call staff (package cli).
package main

import (
	"context"
	"os"
	"os/signal"

	"gatehouse/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
