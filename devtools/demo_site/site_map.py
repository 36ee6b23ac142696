"""The demo site's identity (names, filing numbers) and its URL map of columns."""

from __future__ import annotations

SITE_NAME = "云溪市人民政府"
PORTAL_NAME = "云溪市人民政府门户网站"
SITE_ID_CODE = "9999000001"
ICP = "云ICP备05004215号-1"
POLICE = "云公网安备 53999902000101号"

HOME_PATH = "/"
ZFXXGK_PATH = "/zfxxgk/index.html"
LISTING_PATH = "/zfxxgk/zfxxgknb/index.html"
ZCJD_PATH = "/zfxxgk/zcjd/index.html"
NEWS_PATH = "/xwzx/bmdt/index.html"

NB_COLUMN = "政府信息公开年报"
ZCJD_COLUMN = "政策解读"
NEWS_COLUMN = "部门动态"

_HTML_TYPE = "text/html; charset=utf-8"
_TEXT_TYPE = "text/plain; charset=utf-8"
