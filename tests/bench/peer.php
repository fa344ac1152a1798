<?php
// peer.php: peer (r3) of `make bench`: the same fragment as PHP-FPM
// would serve it on a site without richprofile -- the session cookie,
// one curl GET to the API (a handle kept per FPM child, so the
// connection is reused), SimpleXML, htmlspecialchars, one fixed card.
// The API's address comes from the FastCGI parameter RP_ENDPOINT.
static $ch = null;
$tok = $_COOKIE['rp_token'] ?? '';
if ($tok === '') {
	http_response_code(401);
	header('Content-Type: text/plain');
	echo "sign in\n";
	return;
}
if ($ch === null)
	$ch = curl_init();
$GLOBALS['rp_ch'] = $ch;
curl_setopt_array($ch, [
	CURLOPT_URL => $_SERVER['RP_ENDPOINT'] . '?action=getPersonalRichProfile&infos=' .
		'Firstname,Lastname,Displayname,PictureTagSmallURL,PictureTagMediumURL,' .
		'CentersOfInterests,PreferredLanguage&token=' . rawurlencode($tok),
	CURLOPT_RETURNTRANSFER => true,
	CURLOPT_TIMEOUT_MS => 3000,
]);
$body = curl_exec($ch);
$x = ($body !== false && curl_getinfo($ch, CURLINFO_RESPONSE_CODE) == 200) ?
	@simplexml_load_string($body) : false;
if ($x === false || !isset($x->Data->UserAuthorizedData)) {
	http_response_code(503);
	header('Content-Type: text/plain');
	echo "unavailable\n";
	return;
}
$d = $x->Data->UserAuthorizedData;
$h = fn($s) => htmlspecialchars((string)$s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
header('Content-Type: text/html; charset=utf-8');
header('Cache-Control: private, no-store');
$pic = (string)$d->PictureTagMediumURL !== '' ? $d->PictureTagMediumURL : $d->PictureTagSmallURL;
echo "<div class=\"rp-card\">\n";
if ((string)$pic !== '')
	echo '<img class="rp-photo" src="', $h($pic), "\" alt=\"Photo de profil\" width=\"96\" height=\"96\">\n";
echo "<div class=\"rp-card-body\">\n<p class=\"rp-name\">";
echo (string)$d->Displayname !== '' ? $h($d->Displayname) : $h($d->Firstname) . ' ' . $h($d->Lastname);
echo "</p>\n";
if (isset($d->CentersOfInterests->CenterOfInterest)) {
	echo '<ul class="rp-tags" aria-label="Centres d\'intérêt">';
	foreach ($d->CentersOfInterests->CenterOfInterest as $c)
		echo '<li class="rp-tag">', $h($c), '</li>';
	echo "</ul>\n";
}
echo "</div>\n</div>\n";
