package isms

import "time"

// Link connects two records of one organisation: a risk to the controls
// that treat it, evidence to the controls it supports, a requirement to
// the controls that meet it. Links are directed (From → To) and unique.
type Link struct {
	FromType, FromID string
	ToType, ToID     string
	Note             string
	CreatedAt        time.Time
	CreatedBy        string
	// Filled in by reads: the other end's reference and title, if known.
	OtherRef, OtherTitle string
}

// LinkKey identifies a link in the audit log.
func (l Link) LinkKey() string { return l.FromType + ":" + l.FromID + "→" + l.ToType + ":" + l.ToID }
