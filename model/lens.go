package model

// The demo's "view as" is a lens: the organisation read as another member
// sees it, by the member signed in. Reads through a lens answer for the
// viewed member; every write refuses it, in the model, so that no key a
// screen forgot and no command can change anything as the viewed member or
// record them as the actor of a change.

// LensRefusal is the reason a write through a lens is refused.
const LensRefusal = "viewing as another member only shows what they see and may do; it changes nothing"

// ViewAs is the principal through which signedIn looks at the organisation
// as m sees it.
func ViewAs(m Member, signedIn Principal) Principal {
	return Principal{Kind: KindMember, StaffID: m.ID, Label: m.Email, Origin: signedIn.Origin, ViewedBy: signedIn.StaffID}
}

// IsLens reports whether p only looks through another member's eyes.
func (p Principal) IsLens() bool { return p.ViewedBy != 0 }

// refuseLens refuses a write by a lens.
func refuseLens(p Principal) error {
	if p.IsLens() {
		return &DeniedError{Decision: deny(LensRefusal)}
	}
	return nil
}
