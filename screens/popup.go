package screens

// Popup draws a dialog in the theme's bordered box, fitting width × height;
// the shell uses it for the pop-ups it hosts (the reason chain).
func Popup(sess *Session, d Dialog, width, height int) string {
	return popup(sess, d, width, height)
}

// Overlay draws fg centred over bg, both cut to width × height.
func Overlay(bg, fg string, width, height int) string {
	return overlay(bg, fg, width, height)
}
