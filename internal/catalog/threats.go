package catalog

// Entry is one item of the starter catalogue of threats or
// vulnerabilities: what commonly goes wrong for a small firm (a threat) or
// a weakness that lets it happen (a vulnerability), described in Holdfast's
// own words, with the Annex A 2022 controls that address it.
type Entry struct {
	ID          string // "T-01", "V-01"
	Title       string
	Description string
	// Category is one of ThreatCategories or VulnerabilityCategories.
	Category string
	Controls []string // Annex A 2022 control ids, e.g. "8.7"
}

// ThreatCategories are the categories of threats, in display order:
// deliberate acts, accidents and mistakes, technical failures,
// environmental events and failures at suppliers.
var ThreatCategories = []string{"deliberate", "accidental", "technical", "environmental", "supplier"}

// VulnerabilityCategories are the categories of vulnerabilities: where the
// weakness lies.
var VulnerabilityCategories = []string{"people", "process", "technology", "physical", "supplier"}

// Threats returns the starter catalogue of threats.
func Threats() []Entry { return append([]Entry(nil), threats...) }

// Vulnerabilities returns the starter catalogue of vulnerabilities.
func Vulnerabilities() []Entry { return append([]Entry(nil), vulnerabilities...) }

var threats = []Entry{
	{"T-01", "Phishing email", "A convincing email tricks someone into opening a harmful attachment, following a link to a fake sign-in page or handing over information.", "deliberate", []string{"6.3", "8.7", "8.23", "5.17", "8.5"}},
	{"T-02", "Ransomware", "Malicious software encrypts files and systems and the attacker demands payment to unlock them, often after copying data out first.", "deliberate", []string{"8.7", "8.13", "8.8", "8.20", "5.24", "5.29"}},
	{"T-03", "Lost or stolen laptop", "A laptop is left on a train, taken from a car or stolen from a home, with the firm's data and open sessions on it.", "accidental", []string{"8.1", "7.9", "8.24", "6.7", "5.10"}},
	{"T-04", "Lost or stolen phone", "A phone holding work email, messages, authenticator apps or customer contacts goes missing.", "accidental", []string{"8.1", "6.7", "8.24", "7.9"}},
	{"T-05", "Insider misuse of access", "Someone inside the firm uses the access they were given to look at, copy, change or sell information they have no business need for.", "deliberate", []string{"5.3", "5.15", "5.18", "8.2", "8.15", "6.4"}},
	{"T-06", "Outage at a cloud or software supplier", "A service the firm relies on (email, accounting, hosting, a line-of-business application) stops working for hours or days.", "supplier", []string{"5.19", "5.20", "5.22", "5.23", "5.30"}},
	{"T-07", "Misconfigured cloud storage exposes data", "A storage bucket, shared folder or database in the cloud is left readable by anyone on the internet and is found by a scanner.", "accidental", []string{"5.23", "8.9", "8.3", "8.12", "5.15"}},
	{"T-08", "Account takeover with a stolen or guessed password", "An attacker signs in as a member of staff using a password bought from an old breach, guessed or captured, and acts as them.", "deliberate", []string{"5.17", "8.5", "8.16", "5.16"}},
	{"T-09", "Exploitation of an unpatched weakness", "An attacker uses a published flaw in an internet-facing system or an old application that has not been updated.", "deliberate", []string{"8.8", "8.19", "8.20", "8.16"}},
	{"T-10", "Invoice fraud and payment diversion", "A criminal poses as a supplier or a director and persuades staff to pay money into the wrong bank account.", "deliberate", []string{"6.3", "5.14", "8.5", "5.3"}},
	{"T-11", "Malware from downloads or USB sticks", "Harmful software arrives through a downloaded program, a browser add-on or a memory stick and infects a computer.", "deliberate", []string{"8.7", "7.10", "8.19", "8.23"}},
	{"T-12", "Accidental deletion or overwriting of data", "Someone deletes a folder, overwrites a spreadsheet or runs the wrong command and the previous version is gone.", "accidental", []string{"8.13", "8.3", "5.37"}},
	{"T-13", "Email or file sent to the wrong recipient", "Personal or confidential information is sent to the wrong person through an autocompleted address or a wrong attachment.", "accidental", []string{"5.14", "6.3", "8.12"}},
	{"T-14", "Hardware failure", "A server, disk, network switch or firewall breaks and the systems that depend on it stop.", "technical", []string{"7.13", "8.13", "8.14", "5.30"}},
	{"T-15", "Power cut", "Mains power to the office or a server room fails, stopping equipment and possibly damaging it or the data on it.", "environmental", []string{"7.11", "8.14", "5.30"}},
	{"T-16", "Fire or flood at the premises", "Fire, smoke or water damages the office, its equipment and paper records or makes the site unusable.", "environmental", []string{"7.5", "7.8", "5.29", "5.30", "8.13"}},
	{"T-17", "Burglary or theft from the premises", "Intruders break in and take computers, storage media or paper files.", "deliberate", []string{"7.1", "7.2", "7.3", "7.4"}},
	{"T-18", "Denial of service against online services", "A flood of traffic makes the website, customer portal or remote access unavailable.", "deliberate", []string{"8.20", "8.6", "8.14", "8.16"}},
	{"T-19", "Attack on a web application", "An attacker abuses a flaw in the firm's own website or web application to read data, change content or take control of it.", "deliberate", []string{"8.26", "8.28", "8.29", "8.8"}},
	{"T-20", "Former staff keep access", "Someone who has left still has a working account, a shared password or a device and uses it, or lets others use it.", "deliberate", []string{"5.18", "6.5", "5.11", "8.2"}},
	{"T-21", "Administrator error or misconfiguration", "A change made by someone with administrator rights opens access too widely, disables protection or breaks a service.", "accidental", []string{"8.9", "8.32", "8.2", "5.37"}},
	{"T-22", "Social engineering by phone or message", "A caller or chat message pretending to be IT support, a bank or a manager talks someone into revealing codes or changing details.", "deliberate", []string{"6.3", "5.16", "5.17"}},
	{"T-23", "Data leaks through unapproved tools", "Staff copy work information into personal cloud storage, messaging apps or online tools the firm has not approved.", "accidental", []string{"5.10", "8.12", "5.23", "6.3"}},
	{"T-24", "Breach at a supplier holding our data", "A supplier that stores or processes the firm's or its customers' information is itself breached.", "supplier", []string{"5.19", "5.20", "5.21", "5.22", "5.34"}},
	{"T-25", "Compromised software update or component", "A legitimate product or library the firm uses is tampered with upstream and delivers malicious code.", "supplier", []string{"5.21", "8.19", "8.7", "8.8"}},
	{"T-26", "Interception on untrusted networks", "Traffic sent over public Wi-Fi or a poorly protected network is read or altered by someone nearby.", "deliberate", []string{"8.20", "8.21", "8.24", "6.7"}},
	{"T-27", "Loss of a key person", "The one person who knows how a system, process or supplier arrangement works leaves, falls ill or is unreachable.", "accidental", []string{"5.2", "5.37", "5.29"}},
	{"T-28", "Unauthorised entry to equipment rooms", "Someone without a reason to be there gets into the server room or network cupboard and tampers with equipment.", "deliberate", []string{"7.2", "7.3", "7.4", "7.6"}},
	{"T-29", "Overlooking and unattended documents", "Confidential information is read from a screen in public, from papers left on a desk or from a printer tray.", "accidental", []string{"7.7", "6.3", "8.1"}},
	{"T-30", "Careless disposal of equipment or paper", "Old computers, disks, phones or paper records are thrown away, sold or recycled with readable information still on them.", "accidental", []string{"7.14", "7.10", "8.10"}},
	{"T-31", "Mishandling of personal data", "Personal data is collected, used, shared or kept in ways the law or the people concerned would not accept.", "accidental", []string{"5.34", "5.31", "5.36"}},
	{"T-32", "Breach of legal or contractual obligations", "The firm fails to meet a security or data requirement in law, regulation or a customer contract and faces penalties or lost business.", "accidental", []string{"5.31", "5.32", "5.36"}},
	{"T-33", "Software fault corrupts data", "A defect in a new release or an integration silently damages records before anyone notices.", "technical", []string{"8.25", "8.29", "8.31", "8.32", "8.13"}},
	{"T-34", "Unauthorised change to live systems", "Code or configuration in production is changed outside the agreed process, deliberately or by mistake.", "deliberate", []string{"8.32", "8.31", "8.4", "8.15"}},
	{"T-35", "Credential stuffing against customer accounts", "Attackers try large lists of leaked email and password pairs against the firm's customer login.", "deliberate", []string{"8.5", "8.16", "8.26"}},
	{"T-36", "Exposed keys or secrets", "An API key, access token or password left in code, a shared document or a public repository is found and used to reach the firm's systems.", "accidental", []string{"5.17", "8.24", "8.28", "8.9"}},
	{"T-37", "Incident missed or handled badly", "An attack or failure goes unnoticed, or is noticed but not reported, contained and learned from, so the harm grows.", "accidental", []string{"5.24", "5.25", "5.26", "6.8", "8.15", "8.16"}},
	{"T-38", "Departing employee takes information", "Someone about to leave copies customer lists, designs or other confidential material to take to a competitor.", "deliberate", []string{"6.5", "6.6", "8.12", "5.11"}},
	{"T-39", "Loss of internet or telephone connection", "The office or a key site loses its internet or telephone line for a long period.", "supplier", []string{"8.14", "8.21", "5.30"}},
	{"T-40", "Targeted intrusion by organised attackers", "A criminal group studies the firm and its people and works patiently to get in and stay hidden.", "deliberate", []string{"5.7", "8.16", "8.20", "8.8", "5.24"}},
	{"T-41", "Many staff unavailable at once", "Illness, severe weather or travel disruption keeps a large part of the team away from the office at the same time.", "environmental", []string{"5.29", "6.7", "5.30"}},
}

var vulnerabilities = []Entry{
	{"V-01", "Weak or reused passwords", "Passwords are short, easy to guess or used on several sites, so a leak elsewhere opens the firm's accounts too.", "people", []string{"5.17", "8.5", "6.3"}},
	{"V-02", "No multi-factor authentication", "Email, remote access and cloud services accept a password alone, with no second factor.", "technology", []string{"8.5", "5.17"}},
	{"V-03", "Systems not kept up to date", "Operating systems, applications and device firmware miss security updates for weeks or months.", "technology", []string{"8.8", "8.19"}},
	{"V-04", "Backups never tested", "Backups are taken but nobody has tried restoring from them, so nobody knows whether they work or how long it takes.", "process", []string{"8.13", "5.30"}},
	{"V-05", "No offline or protected backup copy", "Every backup can be reached and deleted from the same network or account that an attacker would take over.", "technology", []string{"8.13", "5.30"}},
	{"V-06", "Staff not trained to spot scams", "People have had no practical guidance on recognising phishing, fake invoices or pressure tactics.", "people", []string{"6.3"}},
	{"V-07", "Unencrypted laptops and phones", "Devices that leave the office store data without full-disk encryption, so whoever holds them can read it.", "technology", []string{"8.24", "8.1"}},
	{"V-08", "Shared accounts", "Several people use the same login, so actions cannot be traced to a person and access cannot be removed from one of them.", "process", []string{"5.16", "8.2", "8.15"}},
	{"V-09", "Access rights never reviewed", "Nobody checks who can reach which systems and data, so rights build up as people change roles.", "process", []string{"5.18", "5.15"}},
	{"V-10", "Slow removal of leavers' access", "Accounts, keys and devices of people who leave are not withdrawn on their last day.", "process", []string{"5.18", "6.5", "5.11"}},
	{"V-11", "Everyday accounts with administrator rights", "Staff browse and read email with accounts that can install software and change system settings.", "technology", []string{"8.2", "8.18", "5.15"}},
	{"V-12", "Files shared with \"anyone with the link\"", "Documents and folders are shared by open links that work for whoever gets hold of them and never expire.", "technology", []string{"5.23", "8.3", "5.14"}},
	{"V-13", "Default or insecure settings", "Devices and services run with their factory settings, default passwords or unnecessary features switched on.", "technology", []string{"8.9"}},
	{"V-14", "No inventory of assets", "The firm does not know which devices, software, services and data it has, so some of them are not protected.", "process", []string{"5.9", "8.19"}},
	{"V-15", "Unsupported software or hardware still in use", "Products past the end of their vendor support no longer get security fixes but still run important work.", "technology", []string{"8.8", "5.9", "8.19"}},
	{"V-16", "No protection against malware", "Computers have no anti-malware or endpoint protection, or it is switched off or out of date.", "technology", []string{"8.7", "8.1"}},
	{"V-17", "Logs missing or never looked at", "Systems do not record sign-ins and important events, or the records are kept but nobody reviews them.", "technology", []string{"8.15", "8.16"}},
	{"V-18", "Single points of failure", "One server, connection, supplier or device carries a critical service with no alternative if it fails.", "technology", []string{"8.14", "5.30"}},
	{"V-19", "No continuity or recovery plan", "There is no agreed plan for keeping key work going, or getting systems back, after a serious disruption.", "process", []string{"5.29", "5.30"}},
	{"V-20", "No incident response procedure", "Staff do not know how to report a suspected incident and nobody has decided who does what when one happens.", "process", []string{"5.24", "5.26", "6.8"}},
	{"V-21", "Suppliers chosen without security checks", "Services are bought on price and features alone, without asking how the supplier protects the firm's information.", "supplier", []string{"5.19", "5.20"}},
	{"V-22", "Contracts without security or data protection terms", "Agreements with suppliers say nothing about security, breach notification or how personal data may be used.", "supplier", []string{"5.20", "5.31"}},
	{"V-23", "Suppliers not monitored", "Nobody checks whether suppliers keep their promises or notices when they change their service or subcontractors.", "supplier", []string{"5.22"}},
	{"V-24", "Information not classified or labelled", "People cannot tell which information is confidential, so it is handled the same way as everything else.", "process", []string{"5.12", "5.13"}},
	{"V-25", "No rules on acceptable use", "Staff have no clear guidance on how work devices, accounts and information may and may not be used.", "process", []string{"5.10", "5.1"}},
	{"V-26", "Clear desk and clear screen not practised", "Papers are left out and screens stay unlocked when people step away.", "people", []string{"7.7"}},
	{"V-27", "Uncontrolled entry to the office", "Visitors are not signed in or escorted and doors can be followed through without a check.", "physical", []string{"7.2", "7.1"}},
	{"V-28", "Equipment in unsecured spaces", "Servers and network equipment sit in an unlocked cupboard or a shared area.", "physical", []string{"7.3", "7.8", "7.2"}},
	{"V-29", "Flat network", "Every device can reach every other one, so one infected computer can spread to servers and payment systems.", "technology", []string{"8.22", "8.20"}},
	{"V-30", "Exposed remote access", "Remote desktop or administration interfaces are reachable from the internet without strong protection.", "technology", []string{"8.20", "8.5", "6.7"}},
	{"V-31", "Personal devices used without safeguards", "Staff use their own phones and computers for work with no rules on locking, updates or separating work data.", "people", []string{"8.1", "6.7", "5.10"}},
	{"V-32", "Unrestricted removable media", "Memory sticks and external disks can be used freely to copy data in and out.", "technology", []string{"7.10", "8.12"}},
	{"V-33", "Changes made without review or testing", "System and software changes go live without being checked, tested or approved by a second person.", "process", []string{"8.32", "8.29"}},
	{"V-34", "Development mixed with live systems", "Developers test on the live system or with copies of real customer data.", "technology", []string{"8.31", "8.33"}},
	{"V-35", "Secure development practices not followed", "Software is written without security requirements, coding standards or security testing.", "process", []string{"8.25", "8.28", "8.29"}},
	{"V-36", "Secrets kept in plain text", "Passwords and keys are stored in code, spreadsheets or chat messages instead of a protected store.", "technology", []string{"5.17", "8.24", "8.4", "8.28"}},
	{"V-37", "Unclear security responsibilities", "Nobody has been given clear responsibility for security tasks, so they fall between people.", "people", []string{"5.2", "5.4"}},
	{"V-38", "Missing or outdated policies", "There is no written security policy, or the one that exists no longer matches how the firm works.", "process", []string{"5.1", "5.37"}},
	{"V-39", "Undocumented knowledge held by one person", "How to run, restore or reconfigure a key system lives only in one person's head.", "people", []string{"5.37", "5.2"}},
	{"V-40", "Email domain open to spoofing", "The firm's domain lacks sender authentication records, so others can send convincing mail in its name.", "technology", []string{"5.14", "8.21"}},
	{"V-41", "Data kept longer than needed", "Old records, exports and mailboxes are never deleted, so a breach exposes far more than necessary.", "process", []string{"8.10", "5.33", "5.34"}},
	{"V-42", "No background checks for sensitive roles", "People are given access to money, systems or confidential data without any verification of their background.", "people", []string{"6.1", "6.2"}},
	{"V-43", "Security alerts and advisories ignored", "Nobody follows vendor advisories or threat warnings relevant to the products and sector the firm uses.", "process", []string{"5.7", "8.8"}},
}
