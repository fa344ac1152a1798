'use strict';
/* fcgi-nginx.js: the web suite (web-suite.js) behind a real nginx with the shipped snippet. */
require('./web-suite').defineSuite('nginx');
