package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// MaxImportRows is the largest number of rows one asset import takes.
const MaxImportRows = 20000

// importFieldNames maps the asset's field names to the import columns that
// carry them, so that problems name the column the user wrote.
var importFieldNames = map[string]string{
	"owner_id": "owner", "custodian_id": "custodian", "custodian_text": "custodian",
}

// plannedRow is one row of an import after checking: the asset as it will
// be stored, and its dependencies as existing asset ids or other rows.
type plannedRow struct {
	row      isms.AssetRow
	asset    isms.Asset
	existing *isms.Asset
	// deps are the dependencies when the row sets them: existing asset
	// ids, or "#<index>" for an asset created by another row.
	deps    []string
	setDeps bool
	action  string
}

// ImportAssets checks an asset import and, unless dryRun is set, applies
// it in one transaction (owners and ISMS managers). Nothing is written
// unless every row is valid: the report lists each row's problems (a
// missing name, an unknown value, a duplicate name or reference in the
// file, an owner who is not a member, an unknown dependency, a row
// exported before the asset last changed). A row with the reference of an
// existing asset updates it; others create assets.
func (db *DB) ImportAssets(ctx context.Context, a isms.Actor, rows []isms.AssetRow, dryRun bool) (isms.AssetImportReport, error) {
	var rep isms.AssetImportReport
	if err := a.Require(isms.PermWriteRegisters); err != nil {
		return rep, err
	}
	if len(rows) == 0 {
		return rep, isms.Invalid("file", "validation.import_empty")
	}
	if len(rows) > MaxImportRows {
		return rep, isms.Invalid("file", "validation.import_too_many", MaxImportRows)
	}
	labels, err := db.assetScale(ctx, a)
	if err != nil {
		return rep, err
	}
	scale := scaleSize(labels)
	run := func(t *tx) error {
		plan, r, err := t.planAssetImport(a, rows, scale)
		if err != nil {
			return err
		}
		rep = r
		if dryRun || !rep.Valid() {
			return nil
		}
		if err := t.applyAssetImport(a, plan, &rep); err != nil {
			return err
		}
		rep.Applied = true
		return nil
	}
	if dryRun {
		err = db.read(ctx, run)
	} else {
		err = db.write(ctx, run)
	}
	if err != nil {
		return isms.AssetImportReport{}, err
	}
	return rep, nil
}

// planAssetImport checks every row against the file and the register and
// works out what each would do, writing nothing.
func (t *tx) planAssetImport(a isms.Actor, rows []isms.AssetRow, scale int) ([]plannedRow, isms.AssetImportReport, error) {
	var rep isms.AssetImportReport
	members := map[string]string{} // lower-case email → user id
	mrows, err := t.Query(`SELECT lower(u.email), u.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1`, a.OrgID)
	if err != nil {
		return nil, rep, err
	}
	for mrows.Next() {
		var email, id string
		if err := mrows.Scan(&email, &id); err != nil {
			mrows.Close()
			return nil, rep, err
		}
		members[email] = id
	}
	mrows.Close()
	if err := mrows.Err(); err != nil {
		return nil, rep, err
	}
	byRef := map[string]*isms.Asset{}
	byName := map[string]*isms.Asset{} // active assets by lower-case name
	arows, err := t.Query(`SELECT `+assets.selectList()+` FROM assets WHERE org_id = $1`, a.OrgID)
	if err != nil {
		return nil, rep, err
	}
	for arows.Next() {
		x, err := assets.scan(arows)
		if err != nil {
			arows.Close()
			return nil, rep, err
		}
		byRef[x.Ref] = &x
		if !x.Archived() {
			byName[strings.ToLower(x.Name)] = &x
		}
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, rep, err
	}

	plan := make([]plannedRow, len(rows))
	refLine := map[string]int{}  // reference → first line using it
	nameLine := map[string]int{} // lower-case name → first line using it
	nameRow := map[string]int{}  // lower-case name → row index
	rep.Rows = make([]isms.AssetRowResult, len(rows))
	for i, row := range rows {
		var pr isms.Problems
		for _, p := range row.Problems {
			pr.Add(p.Field, p.Msg.Key, p.Msg.Args...)
		}
		p := &plan[i]
		p.row = row
		has := func(col string) bool { return row.Present == nil || row.Present[col] }
		ref := strings.ToUpper(isms.Clean(row.Ref))
		x := isms.Asset{Type: row.Asset.Type}
		if ref != "" {
			if first, dup := refLine[ref]; dup {
				pr.Add("ref", "validation.import_duplicate_ref", first)
			} else {
				refLine[ref] = row.Line
			}
			cur, ok := byRef[ref]
			switch {
			case !ok:
				pr.Add("ref", "validation.import_unknown_ref", ref)
			case row.Version > 0 && row.Version != cur.Version:
				pr.Add("version", "validation.import_stale", row.Version, cur.Version)
			}
			if ok {
				p.existing = cur
				x = *cur
				x.DependsOn = slices.Clone(cur.DependsOn)
			}
		}
		// Fields of columns the file has replace the stored ones.
		in := row.Asset
		set := func(col string, dst *string, v string) {
			if has(col) || p.existing == nil {
				*dst = v
			}
		}
		set("name", &x.Name, in.Name)
		set("description", &x.Description, in.Description)
		set("location", &x.Location, in.Location)
		if has("type") || p.existing == nil {
			x.Type = in.Type
		}
		if has("classification") || p.existing == nil {
			x.Classification = in.Classification
		}
		if has("state") || p.existing == nil {
			x.State = in.State
		}
		for _, f := range []struct {
			col string
			dst *int
			v   int
		}{{"confidentiality", &x.Confidentiality, in.Confidentiality}, {"integrity", &x.Integrity, in.Integrity}, {"availability", &x.Availability, in.Availability}} {
			if has(f.col) || p.existing == nil {
				*f.dst = f.v
			}
		}
		if has("owner") || p.existing == nil {
			x.OwnerID = ""
			if o := isms.NormalizeEmail(row.Owner); o != "" {
				if id, ok := members[o]; ok {
					x.OwnerID = id
				} else {
					pr.Add("owner", "validation.import_unknown_member", row.Owner)
				}
			}
		}
		if has("custodian") || p.existing == nil {
			x.CustodianID, x.CustodianText = "", ""
			c := isms.Clean(row.Custodian)
			if id, ok := members[strings.ToLower(c)]; ok {
				x.CustodianID = id
			} else {
				x.CustodianText = c
			}
		}
		x.Normalize()
		deps := x.DependsOn
		x.DependsOn = nil
		if err := x.Validate(scale); err != nil {
			for _, fe := range isms.AsError(err).Fields {
				name := fe.Field
				if n, ok := importFieldNames[name]; ok {
					name = n
				}
				if !pr.Has(name) {
					pr.Add(name, fe.Msg.Key, fe.Msg.Args...)
				}
			}
		}
		x.DependsOn = deps
		if x.Name != "" {
			key := strings.ToLower(x.Name)
			if first, dup := nameLine[key]; dup {
				pr.Add("name", "validation.import_duplicate_name", first)
			} else {
				nameLine[key], nameRow[key] = row.Line, i
				if other, ok := byName[key]; ok && (p.existing == nil || other.ID != p.existing.ID) {
					pr.Add("name", "validation.import_name_exists", other.Ref)
				}
			}
		}
		p.asset = x
		rep.Rows[i] = isms.AssetRowResult{Line: row.Line, Ref: x.Ref, Name: x.Name, Problems: problemsOf(&pr)}
	}
	// Dependencies, once every row's name is known.
	for i := range plan {
		p := &plan[i]
		if !(p.row.Present == nil || p.row.Present["depends_on"]) {
			continue
		}
		p.setDeps = true
		var bad []string
		self := false
		for _, d := range isms.CleanList(p.row.DependsOn) {
			target := ""
			if isms.IsAssetRef(d) {
				if x, ok := byRef[strings.ToUpper(d)]; ok {
					target = x.ID
				}
			} else if j, ok := nameRow[strings.ToLower(d)]; ok {
				if plan[j].existing != nil {
					target = plan[j].existing.ID
				} else {
					target = fmt.Sprintf("#%d", j)
				}
			} else if x, ok := byName[strings.ToLower(d)]; ok {
				target = x.ID
			}
			switch {
			case target == "":
				bad = append(bad, d)
			case target == fmt.Sprintf("#%d", i) || (p.existing != nil && target == p.existing.ID):
				self = true
			case !slices.Contains(p.deps, target):
				p.deps = append(p.deps, target)
			}
		}
		r := &rep.Rows[i]
		if len(bad) > 0 {
			r.Problems = append(r.Problems, isms.FieldError{Field: "depends_on", Msg: isms.M("validation.import_unknown_dependency", strings.Join(bad, ", "))})
		}
		if self {
			r.Problems = append(r.Problems, isms.FieldError{Field: "depends_on", Msg: isms.M("validation.depends_self")})
		}
	}
	// What each row would do.
	idRef := map[string]string{}
	for _, x := range byRef {
		idRef[x.ID] = x.Ref
	}
	for i := range plan {
		p := &plan[i]
		r := &rep.Rows[i]
		switch {
		case p.existing == nil:
			r.Action = isms.ImportCreate
		default:
			after := p.asset
			if p.setDeps {
				after.DependsOn = nil
				for _, d := range p.deps {
					if ref, ok := idRef[d]; ok {
						after.DependsOn = append(after.DependsOn, ref)
					} else {
						after.DependsOn = append(after.DependsOn, "#new")
					}
				}
				slices.Sort(after.DependsOn)
			}
			r.Action = isms.ImportUpdate
			if isms.EncodeFields(after.Fields()) == isms.EncodeFields(p.existing.Fields()) {
				r.Action = isms.ImportUnchanged
			}
		}
		p.action = r.Action
		if len(r.Problems) == 0 {
			switch r.Action {
			case isms.ImportCreate:
				rep.Created++
			case isms.ImportUpdate:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
	}
	return plan, rep, nil
}

func problemsOf(p *isms.Problems) []isms.FieldError {
	if err := p.Err(); err != nil {
		return isms.AsError(err).Fields
	}
	return nil
}

// applyAssetImport writes a checked plan: rows in file order, each with its
// dependencies when they are all stored by then; the others get their
// dependencies in a second pass, once the assets they name exist.
func (t *tx) applyAssetImport(a isms.Actor, plan []plannedRow, rep *isms.AssetImportReport) error {
	ids := make([]string, len(plan))
	resolve := func(p *plannedRow) ([]string, bool) {
		var out []string
		for _, d := range p.deps {
			if strings.HasPrefix(d, "#") {
				var j int
				fmt.Sscanf(d, "#%d", &j)
				if ids[j] == "" {
					return nil, false
				}
				d = ids[j]
			}
			out = append(out, d)
		}
		return out, true
	}
	var deferred []int
	for i := range plan {
		p := &plan[i]
		x := p.asset
		deps, ready := resolve(p)
		if !p.setDeps {
			// Keep the stored dependencies.
			deps, ready = nil, true
			if p.existing != nil {
				deps = slices.Clone(p.existing.DependsOn)
			}
		}
		if !ready {
			deferred = append(deferred, i)
			deps = nil
			if p.existing != nil {
				deps = slices.Clone(p.existing.DependsOn)
			}
		}
		x.DependsOn = deps
		switch p.action {
		case isms.ImportCreate:
			x.Meta = isms.Meta{}
			linkIDs, err := t.checkAssetLinks(a, &x)
			if err != nil {
				return err
			}
			if err := assets.insert(t, a, &x); err != nil {
				return assetErr(err)
			}
			if err := t.setDependencies(a, x.ID, linkIDs); err != nil {
				return err
			}
		case isms.ImportUpdate:
			if err := t.updateAsset(a, &x, p.existing.Version); err != nil {
				return err
			}
		default:
			x = *p.existing
		}
		ids[i] = x.ID
		rep.Rows[i].Ref = x.Ref
	}
	for _, i := range deferred {
		p := &plan[i]
		deps, _ := resolve(p)
		x, err := assets.get(t, a.OrgID, ids[i])
		if err != nil {
			return err
		}
		x.DependsOn = deps
		if err := t.updateAsset(a, &x, x.Version); err != nil {
			return err
		}
	}
	return nil
}
