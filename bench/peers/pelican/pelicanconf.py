# Pelican peer for bench/run.py: articles and one index page, nothing else.
AUTHOR = "Benchmark"
SITENAME = "Generated corpus"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE = "fs"  # every article has a Date: line; this is only the fallback
THEME = "theme"
DEFAULT_PAGINATION = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
DELETE_OUTPUT_DIRECTORY = False

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
ARTICLE_URL = "briefings/{slug}/"
ARTICLE_SAVE_AS = "briefings/{slug}/index.html"
