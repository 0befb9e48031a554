"""A fixture plugin that uses every event the generator offers."""

import json

CALLS = []


def config_loaded(config):
    CALLS.append("config_loaded")
    return {"motto": "plugged in", "title": "a plugin cannot override the user's title"}


def site_loaded(site):
    CALLS.append("site_loaded")
    total = sum(len(post.body.split()) for post in site.posts)
    site.add_data("wordcount", {"total": total})
    site.add_file("stats/words.json", json.dumps({"total": total}).encode())
    first = next(post for post in site.posts if post.title == "First post")
    site.replace(first, title="First post, retitled")


def page_rendering(page, site):
    CALLS.append("page_rendering")
    return {"shout": page["title"].upper()}


def build_finished(build):
    CALLS.append("build_finished")
    urls = sorted(output.url for output in build.outputs if output.output_path.endswith(".html"))
    build.add_output("all-pages.txt", "\n".join(urls).encode())
