package screens

import "fmt"

// countOf is n and the noun, in the plural unless n is 1: "1 account",
// "3 accounts", never "3 account(s)".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// allAccounts is what a member added to a folder of n accounts gets on.
func allAccounts(n int) string {
	if n == 1 {
		return "its 1 account"
	}
	return fmt.Sprintf("all %d accounts", n)
}
