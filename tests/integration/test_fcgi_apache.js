'use strict';
/* fcgi-apache.js: the web suite (web-suite.js) behind a real Apache 2.4 (mod_proxy_fcgi + mod_include). */
require('./web-suite').defineSuite('apache');
