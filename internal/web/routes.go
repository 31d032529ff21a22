package web

import (
	"net/http"

	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// routes returns the web UI's complete route table. Static files are
// served outside the session middleware (they need no session, and loading
// one would cost a database read per file); everything else runs inside it.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, need access, h handler) {
		mux.Handle(pattern, a.serve(pattern, need, h))
	}
	pub := func(pattern string, h handler) { route(pattern, public, h) }
	user := func(pattern string, h handler) { route(pattern, signedIn, h) }
	org := func(pattern string, h handler) { route(pattern, member, h) }

	// Signing in and first-run setup.
	pub("GET /{$}", a.home)
	pub("GET /login", a.loginPage)
	pub("POST /login", a.login)
	pub("POST /logout", a.logout)
	pub("GET /setup", a.setupPage)
	pub("POST /setup", a.setup)

	// Organisations.
	user("GET /orgs/switch", a.switchOrg)
	user("GET /orgs/new", a.newOrgPage)
	user("POST /orgs/new", a.createOrg)

	// The user's account.
	user("GET /account/password", a.passwordPage)
	user("POST /account/password", a.changePassword)
	user("GET /account/sessions", a.sessionsPage)
	user("POST /account/sessions/{id}/revoke", a.revokeSession)
	user("GET /account/tokens", a.tokensPage)
	user("POST /account/tokens", a.createToken)
	user("POST /account/tokens/{id}/revoke", a.revokeToken)

	// Inside an organisation.
	org("GET /o/{org}", a.orgRoot)
	org("GET /o/{org}/{$}", a.dashboard)
	org("GET /o/{org}/search", a.search)
	org("GET /o/{org}/areas/{clause}", a.area)
	// Controls, the Statement of Applicability and evidence (clause 6.1.3, Annex A).
	org("GET /o/{org}/controls", a.controlsList)
	org("GET /o/{org}/controls/new", a.newControlPage)
	org("POST /o/{org}/controls/new", a.createControl)
	org("GET /o/{org}/controls/mappings", a.controlMappings)
	org("GET /o/{org}/controls/licensed-text", a.licensedTextPage)
	org("POST /o/{org}/controls/licensed-text", a.importLicensedText)
	org("GET /o/{org}/controls/{id}", a.controlPage)
	org("GET /o/{org}/controls/{id}/edit", a.editControlPage)
	org("POST /o/{org}/controls/{id}/edit", a.updateControl)
	org("POST /o/{org}/controls/{id}/archive", a.archiveControl)
	org("POST /o/{org}/controls/{id}/restore", a.restoreControl)
	org("POST /o/{org}/controls/{id}/request", a.requestControlEvidence)
	org("GET /o/{org}/soa", a.soaPage)
	org("POST /o/{org}/soa/publish", a.publishSoA)
	org("GET /o/{org}/soa/compare", a.compareSoA)
	org("GET /o/{org}/soa/export.xlsx", a.exportSoAXLSX)
	org("GET /o/{org}/soa/export.docx", a.exportSoADOCX)
	org("GET /o/{org}/soa/export.pdf", a.exportSoAPDF)
	org("GET /o/{org}/evidence", a.evidenceList)
	org("GET /o/{org}/evidence/new", a.newEvidencePage)
	org("POST /o/{org}/evidence/new", a.createEvidence)
	org("GET /o/{org}/evidence/{id}", a.evidencePage)
	org("GET /o/{org}/evidence/{id}/edit", a.editEvidencePage)
	org("POST /o/{org}/evidence/{id}/edit", a.updateEvidence)
	org("POST /o/{org}/evidence/{id}/archive", a.archiveEvidence)
	org("POST /o/{org}/evidence/{id}/restore", a.restoreEvidence)
	org("GET /o/{org}/evidence/{id}/download", a.downloadEvidence)
	org("POST /o/{org}/evidence/{id}/request", a.requestEvidenceRenewal)

	// Risk management (clauses 6.1.2, 6.1.3, 8.2, 8.3).
	org("GET /o/{org}/risks", a.riskList)
	org("GET /o/{org}/risks/export.xlsx", a.exportRisks)
	org("GET /o/{org}/risks/import", a.riskImportPage)
	org("POST /o/{org}/risks/import", a.importRisks)
	org("GET /o/{org}/risks/report.docx", a.riskReportDOCX)
	org("GET /o/{org}/risks/report.pdf", a.riskReportPDF)
	org("GET /o/{org}/risks/new", a.newRiskPage)
	org("POST /o/{org}/risks/new", a.createRisk)
	org("GET /o/{org}/risks/heatmap", a.heatMapPage)
	org("GET /o/{org}/risks/plan", a.planPage)
	org("GET /o/{org}/risks/plan.xlsx", a.exportPlan)
	org("GET /o/{org}/risks/rerate", a.rerateWorklist)
	org("GET /o/{org}/risks/criteria", a.criteriaPage)
	org("POST /o/{org}/risks/criteria/start", a.startCriteria)
	org("POST /o/{org}/risks/criteria/revise", a.reviseCriteria)
	org("GET /o/{org}/risks/criteria/edit", a.editCriteriaPage)
	org("POST /o/{org}/risks/criteria/edit", a.updateCriteria)
	org("POST /o/{org}/risks/criteria/approve", a.approveCriteria)
	org("POST /o/{org}/risks/criteria/discard", a.discardCriteria)
	org("GET /o/{org}/risks/{id}", a.riskPage)
	org("GET /o/{org}/risks/{id}/edit", a.editRiskPage)
	org("POST /o/{org}/risks/{id}/edit", a.updateRisk)
	org("POST /o/{org}/risks/{id}/archive", a.archiveRisk)
	org("POST /o/{org}/risks/{id}/restore", a.restoreRisk)
	org("POST /o/{org}/risks/{id}/approve", a.decideRisk(isms.DecisionPlanApproval))
	org("POST /o/{org}/risks/{id}/accept", a.decideRisk(isms.DecisionAcceptance))
	org("GET /o/{org}/risks/{id}/links/new", a.newRiskLinkPage)
	org("POST /o/{org}/risks/{id}/links", a.linkRisk)
	org("POST /o/{org}/risks/{id}/links/remove", a.unlinkRisk)
	org("POST /o/{org}/risks/{id}/actions", a.addRiskAction)
	org("POST /o/{org}/risks/{id}/rerate", a.rerateRisk)
	org("GET /o/{org}/assessments", a.assessmentList)
	org("GET /o/{org}/assessments/new", a.newAssessmentPage)
	org("POST /o/{org}/assessments/new", a.createAssessment)
	org("GET /o/{org}/assessments/compare", a.compareAssessments)
	org("GET /o/{org}/assessments/{id}", a.assessmentPage)
	org("GET /o/{org}/assessments/{id}/edit", a.editAssessmentPage)
	org("POST /o/{org}/assessments/{id}/edit", a.updateAssessment)
	org("POST /o/{org}/assessments/{id}/close", a.closeAssessment)
	org("POST /o/{org}/assessments/{id}/archive", a.archiveAssessment)
	org("POST /o/{org}/assessments/{id}/restore", a.restoreAssessment)

	// Assets, threats and vulnerabilities (clause 6.1.2).
	org("GET /o/{org}/assets", a.assetList)
	org("GET /o/{org}/assets/export.xlsx", a.exportAssets)
	org("GET /o/{org}/assets/import", a.assetImportPage)
	org("POST /o/{org}/assets/import", a.importAssets)
	org("GET /o/{org}/assets/import/template.xlsx", a.assetTemplate)
	org("GET /o/{org}/assets/new", a.newAssetPage)
	org("POST /o/{org}/assets/new", a.createAsset)
	org("GET /o/{org}/assets/{id}", a.assetPage)
	org("GET /o/{org}/assets/{id}/edit", a.editAssetPage)
	org("POST /o/{org}/assets/{id}/edit", a.updateAsset)
	org("POST /o/{org}/assets/{id}/archive", a.archiveAsset)
	org("POST /o/{org}/assets/{id}/restore", a.restoreAsset)
	org("POST /o/{org}/starter-catalogue", a.loadStarterCatalogue)
	org("GET /o/{org}/threats", a.threatList(isms.KindThreat))
	org("GET /o/{org}/threats/new", a.newThreatPage(isms.KindThreat))
	org("POST /o/{org}/threats/new", a.createThreat(isms.KindThreat))
	org("GET /o/{org}/threats/{id}", a.threatPage(isms.KindThreat))
	org("GET /o/{org}/threats/{id}/edit", a.editThreatPage(isms.KindThreat))
	org("POST /o/{org}/threats/{id}/edit", a.updateThreat(isms.KindThreat))
	org("POST /o/{org}/threats/{id}/archive", a.setThreatArchived(isms.KindThreat, true))
	org("POST /o/{org}/threats/{id}/restore", a.setThreatArchived(isms.KindThreat, false))
	org("GET /o/{org}/vulnerabilities", a.threatList(isms.KindVulnerability))
	org("GET /o/{org}/vulnerabilities/new", a.newThreatPage(isms.KindVulnerability))
	org("POST /o/{org}/vulnerabilities/new", a.createThreat(isms.KindVulnerability))
	org("GET /o/{org}/vulnerabilities/{id}", a.threatPage(isms.KindVulnerability))
	org("GET /o/{org}/vulnerabilities/{id}/edit", a.editThreatPage(isms.KindVulnerability))
	org("POST /o/{org}/vulnerabilities/{id}/edit", a.updateThreat(isms.KindVulnerability))
	org("POST /o/{org}/vulnerabilities/{id}/archive", a.setThreatArchived(isms.KindVulnerability, true))
	org("POST /o/{org}/vulnerabilities/{id}/restore", a.setThreatArchived(isms.KindVulnerability, false))

	// Actions: every plan of the ISMS (clause 6.2), and each member's own.
	org("GET /o/{org}/actions", a.actionList)
	org("GET /o/{org}/actions/new", a.newActionPage)
	org("POST /o/{org}/actions/new", a.createAction)
	org("GET /o/{org}/actions/{id}", a.actionPage)
	org("GET /o/{org}/actions/{id}/edit", a.editActionPage)
	org("POST /o/{org}/actions/{id}/edit", a.updateAction)
	org("POST /o/{org}/actions/{id}/complete", a.completeAction)
	org("POST /o/{org}/actions/{id}/notes", a.addActionNote)
	org("POST /o/{org}/actions/{id}/archive", a.archiveAction)
	org("POST /o/{org}/actions/{id}/restore", a.restoreAction)
	org("GET /o/{org}/my-actions", a.myActions)

	org("GET /o/{org}/people", a.peopleList)
	org("GET /o/{org}/people/export.xlsx", a.exportPeople)
	org("GET /o/{org}/people/new", a.newPersonPage)
	org("POST /o/{org}/people/new", a.createPerson)
	org("GET /o/{org}/people/{id}", a.personPage)
	org("GET /o/{org}/people/{id}/edit", a.editPersonPage)
	org("POST /o/{org}/people/{id}/edit", a.updatePerson)
	org("POST /o/{org}/people/{id}/archive", a.archivePerson)
	org("POST /o/{org}/people/{id}/restore", a.restorePerson)

	org("GET /o/{org}/members", a.membersPage)
	org("POST /o/{org}/members", a.addMember)
	org("POST /o/{org}/members/{user}/role", a.changeRole)
	org("POST /o/{org}/members/{user}/remove", a.removeMember)

	org("GET /o/{org}/settings", a.settingsPage)
	org("POST /o/{org}/settings", a.updateSettings)

	org("GET /o/{org}/audit", a.auditPage)
	org("GET /o/{org}/audit/{seq}", a.auditEntryPage)

	// Anything else is a page that does not exist.
	pub("/", a.notFound)

	outer := http.NewServeMux()
	outer.Handle("GET /static/", a.assets)
	outer.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r, "GET /favicon.ico")
		http.Redirect(w, r, a.assets.url("img/favicon.svg"), http.StatusMovedPermanently)
	})
	// Each request carries a read scope from before its session is loaded,
	// which lets the session read bring the user's memberships along and
	// share its transaction with the page's reads.
	outer.Handle("/", httpx.ReadScope(a.Sessions.LoadAndSave(mux)))
	return outer
}
