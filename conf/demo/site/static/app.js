// app.js: the client-side use of richprofile.  Reads the signed-in user's
// card as JSON from /richprofile/profile.json and shows it in #js-profile.
// Values are untrusted: they only ever reach the page through textContent
// and checked href attributes, never as HTML.  No inline script is needed,
// so the page keeps its strict Content-Security-Policy.
'use strict';

(function () {
	var box = document.getElementById('js-profile');
	if (!box)
		return;

	var text = {
		fr: { name: 'Nom', interests: "Centres d'intérêt", language: 'Langue',
			withheld: 'Non partagé', consent: 'Donner mon accord',
			signin: 'Se connecter', action: 'À faire', none: 'aucun',
			ok: 'complet', partial: 'partiel', consentNeeded: 'accord requis',
			signinNeeded: 'connexion requise', unavailable: 'indisponible',
			failed: 'Le profil n\'a pas pu être lu : ' },
		en: { name: 'Name', interests: 'Interests', language: 'Language',
			withheld: 'Not shared', consent: 'Give my consent',
			signin: 'Sign in', action: 'To do', none: 'none',
			ok: 'complete', partial: 'partial', consentNeeded: 'consent needed',
			signinNeeded: 'sign-in needed', unavailable: 'unavailable',
			failed: 'The profile could not be read: ' }
	};

	function el(tag, cls, content) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (content !== undefined)
			e.textContent = content;
		return e;
	}

	// A link only to an http(s) address: the server checked it already,
	// the page checks again rather than trust a string into an href.
	function link(href, label) {
		var u;
		try {
			u = new URL(href, document.baseURI);
		} catch (e) {
			return el('span', null, label);
		}
		if (u.protocol !== 'http:' && u.protocol !== 'https:')
			return el('span', null, label);
		var a = el('a', null, label);
		a.href = u.href;
		return a;
	}

	// The page around the fragments is French; a user who prefers
	// English gets it in English (elements carrying data-en).
	function speak(lang) {
		if (lang !== 'en')
			return;
		document.documentElement.lang = 'en';
		var items = document.querySelectorAll('[data-en]');
		for (var i = 0; i < items.length; i++)
			items[i].textContent = items[i].getAttribute('data-en');
		document.title = 'My account — La Boutique du Quai';
	}

	function show(p) {
		var t = text[p.lang] || text.fr;
		var a = p.attributes || {};
		speak(p.lang);
		box.textContent = '';
		var said = { ok: t.ok, partial: t.partial, consent: t.consentNeeded,
			signin: t.signinNeeded, unavailable: t.unavailable };
		var status = el('span', 'js-status js-status-' + p.status,
			said[p.status] || String(p.status));
		status.setAttribute('data-status', String(p.status));
		box.appendChild(status);
		var dl = el('dl');
		function row(label, value) {
			dl.appendChild(el('dt', null, label));
			var dd = el('dd');
			if (typeof value === 'string')
				dd.textContent = value;
			else
				dd.appendChild(value);
			dl.appendChild(dd);
		}
		var name = a.Displayname ||
			[a.Firstname, a.Lastname].filter(Boolean).join(' ');
		if (name)
			row(t.name, name);
		if (Array.isArray(a.CentersOfInterests))
			row(t.interests, a.CentersOfInterests.join(', ') || t.none);
		if (p.lang)
			row(t.language, p.lang);
		if (Array.isArray(p.withheld) && p.withheld.length)
			row(t.withheld, p.withheld.map(function (w) { return w.label || w.name; }).join(', '));
		if (p.consent_url)
			row(t.action, link(p.consent_url, t.consent));
		if (p.login_url)
			row(t.action, link(p.login_url, t.signin));
		box.appendChild(dl);
	}

	function fail(why) {
		box.textContent = '';
		box.appendChild(el('p', 'js-error', text.fr.failed + why));
	}

	// Every outcome is JSON, with an HTTP status that matches it (401
	// signin, 403 consent, 503 unavailable): read the body whatever it is.
	fetch('/richprofile/profile.json?view=card', {
		credentials: 'same-origin',
		headers: { Accept: 'application/json' }
	}).then(function (r) {
		return r.json();
	}).then(show, function (e) {
		fail(String(e && e.message || e));
	});
})();
