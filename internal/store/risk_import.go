package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// riskImportFieldNames maps a risk's field names to the import columns
// that carry them, so that problems name the column the user wrote.
var riskImportFieldNames = map[string]string{"owner_id": "owner", "criteria_id": "inherent_likelihood"}

// plannedRisk is one row of a risk import after checking: the risk as it
// will be stored, and the controls and assets it will be linked to.
type plannedRisk struct {
	risk     isms.Risk
	existing *isms.Risk
	// controls and assets are the ids to link to, when the file has the
	// column (setControls, setAssets).
	controls, assets       []string
	setControls, setAssets bool
	action                 string
}

// riskImportState is what the checks read from the database once.
type riskImportState struct {
	members  map[string]struct{ id, role string } // lower-case email →
	byRef    map[string]*isms.Risk
	controls map[string]string // upper-case reference → id (active)
	assets   map[string]string
	// linked holds the stored link targets: risk id → type → ids.
	linked map[string]map[string][]string
	// active holds the ids of the active controls and assets: links to
	// archived ones are not in the file and are left alone.
	active  map[string]bool
	crit    isms.RiskCriteria
	hasCrit bool
}

// ImportRisks checks a risk register import and, unless dryRun is set,
// applies it in one transaction (owners and ISMS managers). Nothing is
// written unless every row is valid: the report lists each row's problems
// (an unknown or duplicate reference, a row exported before the risk last
// changed, a rating that does not exist on the criteria in force, an
// owner who is not a member allowed to own risks, an unknown control or
// asset). A row with the reference of an existing risk updates it (the
// update is audited and bumps its version); others create risks.
func (db *DB) ImportRisks(ctx context.Context, a isms.Actor, rows []isms.RiskRow, dryRun bool) (isms.RiskImportReport, error) {
	var rep isms.RiskImportReport
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return rep, err
	}
	if len(rows) == 0 {
		return rep, isms.Invalid("file", "validation.import_empty")
	}
	if len(rows) > MaxImportRows {
		return rep, isms.Invalid("file", "validation.import_too_many", MaxImportRows)
	}
	run := func(t *tx) error {
		s, err := t.loadRiskImportState(a.OrgID)
		if err != nil {
			return err
		}
		plan, r := planRiskImport(s, rows)
		rep = r
		if dryRun || !rep.Valid() {
			return nil
		}
		if err := t.applyRiskImport(a, plan, rows, s.active, &rep); err != nil {
			return err
		}
		rep.Applied = true
		return nil
	}
	var err error
	if dryRun {
		err = db.read(ctx, run)
	} else {
		err = db.write(ctx, run)
	}
	if err != nil {
		return isms.RiskImportReport{}, err
	}
	return rep, nil
}

func (t *tx) loadRiskImportState(orgID string) (*riskImportState, error) {
	s := &riskImportState{members: map[string]struct{ id, role string }{}, byRef: map[string]*isms.Risk{},
		controls: map[string]string{}, assets: map[string]string{}, linked: map[string]map[string][]string{}, active: map[string]bool{}}
	var err error
	if s.crit, s.hasCrit, err = t.currentCriteria(orgID); err != nil {
		return nil, err
	}
	rows, err := t.Query(`SELECT lower(u.email), u.id, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var email string
		var m struct{ id, role string }
		if err := rows.Scan(&email, &m.id, &m.role); err != nil {
			rows.Close()
			return nil, err
		}
		s.members[email] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = t.Query(`SELECT `+risks.selectList()+` FROM risks WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		x, err := risks.scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		s.byRef[strings.ToUpper(x.Ref)] = &x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for typ, dst := range map[string]map[string]string{"control": s.controls, "asset": s.assets} {
		l, ok := linkable[typ]
		if !ok {
			continue
		}
		rows, err := t.Query(`SELECT id, `+l.ref+` FROM `+l.table+` WHERE org_id = $1 AND archived_at IS NULL`, orgID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, ref string
			if err := rows.Scan(&id, &ref); err != nil {
				rows.Close()
				return nil, err
			}
			dst[strings.ToUpper(ref)] = id
			s.active[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	rows, err = t.Query(`SELECT from_id, to_type, to_id FROM record_links WHERE org_id = $1 AND from_type = 'risk' AND to_type IN ('control', 'asset') ORDER BY to_id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var from, typ, to string
		if err := rows.Scan(&from, &typ, &to); err != nil {
			return nil, err
		}
		if !s.active[to] {
			continue
		}
		if s.linked[from] == nil {
			s.linked[from] = map[string][]string{}
		}
		s.linked[from][typ] = append(s.linked[from][typ], to)
	}
	return s, rows.Err()
}

// scaleCell reads a rating cell: "4 · Likely", "4" or a level's label on
// the scale; "" is 0.
func scaleCell(v string, scale []isms.ScaleLevel) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	num := v
	if i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }); i > 0 {
		num = v[:i]
	}
	if n, err := strconv.Atoi(num); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == float64(int(f)) {
		return int(f), true
	}
	for _, l := range scale {
		if strings.EqualFold(strings.TrimSpace(l.Label), v) {
			return l.Value, true
		}
	}
	return 0, false
}

// planRiskImport checks every row against the file and the register and
// works out what each would do, writing nothing.
func planRiskImport(s *riskImportState, rows []isms.RiskRow) ([]plannedRisk, isms.RiskImportReport) {
	var rep isms.RiskImportReport
	plan := make([]plannedRisk, len(rows))
	rep.Rows = make([]isms.AssetRowResult, len(rows))
	refLine := map[string]int{}
	for i, row := range rows {
		var pr isms.Problems
		for _, p := range row.Problems {
			pr.Add(p.Field, p.Msg.Key, p.Msg.Args...)
		}
		p := &plan[i]
		ref := strings.ToUpper(isms.Clean(row.Ref))
		var x isms.Risk
		if ref != "" {
			if first, dup := refLine[ref]; dup {
				pr.Add("ref", "validation.import_duplicate_ref", first)
			} else {
				refLine[ref] = row.Line
			}
			cur, ok := s.byRef[ref]
			switch {
			case !ok:
				pr.Add("ref", "validation.import_unknown_risk", ref)
			case row.Version > 0 && row.Version < cur.Version:
				pr.Add("version", "validation.import_risk_stale", row.Version, cur.Version)
			case row.Version > cur.Version:
				pr.Add("version", "validation.import_risk_version", row.Version, cur.Version)
			}
			if ok {
				p.existing = cur
				x = *cur
			}
		}
		isNew := p.existing == nil
		has := func(col string) bool { return isNew || row.Has(col) }
		in := row.Risk
		for _, f := range []struct {
			col      string
			dst, src *string
		}{{"title", &x.Title, &in.Title}, {"description", &x.Description, &in.Description}, {"causes", &x.Causes, &in.Causes},
			{"impacts", &x.Impacts, &in.Impacts}, {"category", &x.Category, &in.Category}, {"cia", &x.CIA, &in.CIA},
			{"existing_controls", &x.ExistingControls, &in.ExistingControls}, {"treatment_notes", &x.TreatmentNotes, &in.TreatmentNotes},
			{"next_review", &x.NextReview, &in.NextReview}} {
			if has(f.col) {
				*f.dst = *f.src
			}
		}
		if has("kind") {
			x.Kind = in.Kind
		}
		if has("treatment") {
			x.Treatment = in.Treatment
		}
		if has("priority") {
			x.Priority = in.Priority
		}
		if has("owner") {
			x.OwnerID = ""
			if o := isms.NormalizeEmail(row.Owner); o != "" {
				m, ok := s.members[o]
				switch {
				case !ok:
					pr.Add("owner", "validation.import_unknown_member", row.Owner)
				case !isms.Role(m.role).Can(isms.PermWriteOwned):
					pr.Add("owner", "validation.risk_owner")
				default:
					x.OwnerID = m.id
				}
			}
		}
		x.Normalize()
		if err := x.Validate(); err != nil {
			for _, fe := range isms.AsError(err).Fields {
				name := fe.Field
				if n, ok := riskImportFieldNames[name]; ok {
					name = n
				}
				if !pr.Has(name) {
					pr.Add(name, fe.Msg.Key, fe.Msg.Args...)
				}
			}
		}
		planRatings(s, row, &x, p.existing, &pr)
		p.risk = x
		// Links by reference.
		linkSet := func(col string, byRef map[string]string, refs []string, dst *[]string, set *bool) {
			if !row.Has(col) && !isNew {
				return
			}
			*set = true
			var bad []string
			for _, r := range isms.CleanList(refs) {
				id, ok := byRef[strings.ToUpper(r)]
				if !ok && col == "controls" {
					id, ok = byRef[strings.ToUpper(isms.AnnexARef(r))]
				}
				switch {
				case !ok:
					bad = append(bad, r)
				case !slices.Contains(*dst, id):
					*dst = append(*dst, id)
				}
			}
			slices.Sort(*dst)
			if len(bad) > 0 {
				pr.Add(col, "validation.import_unknown_"+col, strings.Join(bad, ", "))
			}
		}
		linkSet("controls", s.controls, row.Controls, &p.controls, &p.setControls)
		linkSet("assets", s.assets, row.Assets, &p.assets, &p.setAssets)

		res := isms.AssetRowResult{Line: row.Line, Ref: x.Ref, Name: x.Title, Problems: problemsOf(&pr)}
		switch {
		case isNew:
			res.Action = isms.ImportCreate
		default:
			res.Action = isms.ImportUnchanged
			linked := s.linked[p.existing.ID]
			before, after := p.existing.Fields(), x.Fields()
			if isms.EncodeFields(before) != isms.EncodeFields(after) ||
				(p.setControls && !slices.Equal(p.controls, linked["control"])) ||
				(p.setAssets && !slices.Equal(p.assets, linked["asset"])) {
				res.Action = isms.ImportUpdate
			}
		}
		p.action = res.Action
		rep.Rows[i] = res
		if len(res.Problems) == 0 {
			switch res.Action {
			case isms.ImportCreate:
				rep.Created++
			case isms.ImportUpdate:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
	}
	return plan, rep
}

// planRatings reads a row's four rating cells and checks them the way
// rateRisk will: unchanged ratings stay as they are (under whichever
// criteria version they were made), changed ones must exist on the
// criteria in force.
func planRatings(s *riskImportState, row isms.RiskRow, x *isms.Risk, cur *isms.Risk, pr *isms.Problems) {
	scaleL, scaleC := s.crit.Likelihood, s.crit.Consequence
	cell := func(col, v string, scale []isms.ScaleLevel, stored int) int {
		if cur != nil && !row.Has(col) {
			return stored
		}
		n, ok := scaleCell(v, scale)
		if !ok {
			pr.Add(col, "validation.import_scale_label", strings.TrimSpace(v))
		}
		return n
	}
	var curIn, curRes isms.Rating
	if cur != nil {
		curIn, curRes = cur.Inherent, cur.Residual
	}
	in := isms.Rating{Likelihood: cell("inherent_likelihood", row.InherentLikelihood, scaleL, curIn.Likelihood),
		Consequence: cell("inherent_consequence", row.InherentConsequence, scaleC, curIn.Consequence)}
	res := isms.Rating{Likelihood: cell("residual_likelihood", row.ResidualLikelihood, scaleL, curRes.Likelihood),
		Consequence: cell("residual_consequence", row.ResidualConsequence, scaleC, curRes.Consequence)}
	same := func(a, b isms.Rating) bool { return a.Likelihood == b.Likelihood && a.Consequence == b.Consequence }
	if cur != nil && same(in, curIn) && same(res, curRes) {
		x.Inherent, x.Residual, x.CriteriaID, x.CriteriaNumber = curIn, curRes, cur.CriteriaID, cur.CriteriaNumber
		return
	}
	// Per-dimension values survive when the rating keeps its values.
	if cur != nil && same(in, curIn) {
		in = curIn
	}
	if cur != nil && same(res, curRes) {
		res = curRes
	}
	if in.Likelihood+in.Consequence+res.Likelihood+res.Consequence == 0 {
		x.Inherent, x.Residual, x.CriteriaID, x.CriteriaNumber = isms.Rating{}, isms.Rating{}, "", 0
		return
	}
	switch {
	case !s.hasCrit:
		pr.Add("inherent_likelihood", "validation.no_criteria")
		return
	case cur != nil && cur.CriteriaID != "" && cur.CriteriaID != s.crit.ID:
		pr.Add("inherent_likelihood", "validation.rerate_required", cur.CriteriaNumber, s.crit.Number)
		return
	}
	ri, err1 := s.crit.Rate("inherent", in)
	rr, err2 := s.crit.Rate("residual", res)
	for _, e := range []error{err1, err2} {
		if e != nil {
			for _, f := range isms.AsError(e).Fields {
				if !pr.Has(f.Field) {
					pr.Add(f.Field, f.Msg.Key, f.Msg.Args...)
				}
			}
		}
	}
	if err1 == nil && err2 == nil && rr.Rated() && !ri.Rated() {
		pr.Add("inherent_likelihood", "validation.inherent_first")
	}
	x.Inherent, x.Residual, x.CriteriaID, x.CriteriaNumber = ri, rr, s.crit.ID, s.crit.Number
}

// applyRiskImport writes a checked plan in file order through the same
// steps as CreateRisk and UpdateRisk (rating, voiding decisions whose
// basis changed, audit, version bump), then sets the links. Any error
// aborts the whole transaction.
func (t *tx) applyRiskImport(a isms.Actor, plan []plannedRisk, rows []isms.RiskRow, active map[string]bool, rep *isms.RiskImportReport) error {
	lineErr := func(i int, err error) error {
		if e := isms.AsError(err); e.Kind == isms.KindInvalid {
			return &isms.Error{Kind: isms.KindInvalid, Msg: isms.M("validation.import_row_failed", rows[i].Line), Fields: e.Fields}
		}
		return err
	}
	for i := range plan {
		p := &plan[i]
		if p.action == isms.ImportUnchanged {
			continue
		}
		r := p.risk
		if p.existing == nil {
			r.Meta = isms.Meta{}
			r.PlanApprovedAt, r.AcceptedUntil, r.AcceptConcession = "", "", false
			if err := t.prepareRisk(a, &r, nil); err != nil {
				return lineErr(i, err)
			}
			if err := risks.insert(t, a, &r); err != nil {
				return err
			}
		} else {
			cur := *p.existing
			if err := t.prepareRisk(a, &r, &cur); err != nil {
				return lineErr(i, err)
			}
			if err := risks.update(t, a, &r, cur.Version); err != nil {
				return err
			}
		}
		rep.Rows[i].Ref = r.Ref
		for _, set := range []struct {
			typ  string
			on   bool
			want []string
		}{{"control", p.setControls, p.controls}, {"asset", p.setAssets, p.assets}} {
			if !set.on {
				continue
			}
			if err := t.setRiskLinks(a, r.ID, set.typ, set.want, active); err != nil {
				return err
			}
		}
	}
	return nil
}

// setRiskLinks makes the risk's links to active records of typ exactly
// want; links to archived records stay.
func (t *tx) setRiskLinks(a isms.Actor, riskID, typ string, want []string, active map[string]bool) error {
	have, err := t.links(a.OrgID, "risk", riskID, true)
	if err != nil {
		return err
	}
	for _, l := range have {
		if l.ToType == typ && active[l.ToID] && !slices.Contains(want, l.ToID) {
			if err := t.unlink(a, isms.Link{FromType: "risk", FromID: riskID, ToType: typ, ToID: l.ToID}); err != nil {
				return err
			}
		}
	}
	for _, id := range want {
		if err := t.link(a, isms.Link{FromType: "risk", FromID: riskID, ToType: typ, ToID: id}); err != nil {
			return err
		}
	}
	return nil
}

// RiskExportRefs returns what the register export needs besides the
// risks: the members' email addresses and the references of the controls
// and assets each risk is linked to. Every role that reads registers.
func (db *DB) RiskExportRefs(ctx context.Context, a isms.Actor) (isms.RiskExportRefs, error) {
	refs := isms.RiskExportRefs{OwnerEmail: map[string]string{}, Controls: map[string][]string{}, Assets: map[string][]string{}}
	if err := a.Require(isms.PermReadRegisters); err != nil {
		return refs, err
	}
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.Query(`SELECT u.id, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1`, a.OrgID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, email string
			if err := rows.Scan(&id, &email); err != nil {
				rows.Close()
				return err
			}
			refs.OwnerEmail[id] = email
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for typ, dst := range map[string]map[string][]string{"control": refs.Controls, "asset": refs.Assets} {
			l, ok := linkable[typ]
			if !ok {
				continue
			}
			rows, err := t.Query(`SELECT lk.from_id, x.`+l.ref+` FROM record_links lk JOIN `+l.table+` x ON x.org_id = lk.org_id AND x.id = lk.to_id
				WHERE lk.org_id = $1 AND lk.from_type = 'risk' AND lk.to_type = $2 AND x.archived_at IS NULL ORDER BY x.`+l.ref, a.OrgID, typ)
			if err != nil {
				return err
			}
			for rows.Next() {
				var from, ref string
				if err := rows.Scan(&from, &ref); err != nil {
					rows.Close()
					return err
				}
				dst[from] = append(dst[from], ref)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return refs, err
}
