#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by Selenium against a live `ade demo`.

    scripts/browser-test.py [--ade PATH] [--screenshots DIR]

Signs in, sees the error banner, opens the expired token, downloads a new token from the simulator's ABM page, follows
the renew wizard, and waits until the token is healthy again. Saves screenshots of the main pages (at laptop and phone
widths) in DIR. Exit status 0 when every step passed.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

EXPIRED_TOKEN = "Library Carts"


def start_demo(ade):
    """Starts `ade demo` on free ports; returns the process, the console URL, the password and the ABM page URL."""
    process = subprocess.Popen(
        [ade, "demo", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    text = ""
    deadline = time.time() + 120
    while "Stop with Ctrl-C" not in text:
        if time.time() > deadline or process.poll() is not None:
            raise SystemExit(f"ade demo did not start:\n{text}")
        text += process.stdout.readline()
    console = re.search(r"Console:\s+(\S+)", text).group(1)
    password = re.search(r"Password:\s+(\S+)", text).group(1)
    abm = re.search(r"(http://\S+/abm)", text).group(1)
    return process, console, password, abm


def browser(downloads):
    options = Options()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1366,900")
    options.add_experimental_option(
        "prefs", {"download.default_directory": downloads, "download.prompt_for_download": False}
    )
    binary = next((path for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(path)), None)
    if binary:
        options.binary_location = binary
    driver_path = next((path for path in ("/usr/bin/chromedriver",) if os.path.exists(path)), None)
    service = Service(driver_path) if driver_path else Service()
    return webdriver.Chrome(service=service, options=options)


def shoot(driver, directory, name):
    """Screenshots at a laptop width, then at a phone width."""
    os.makedirs(directory, exist_ok=True)
    driver.set_window_size(1366, 900)
    driver.save_screenshot(os.path.join(directory, f"{name}.png"))
    driver.set_window_size(390, 844)
    driver.save_screenshot(os.path.join(directory, f"{name}-phone.png"))
    driver.set_window_size(1366, 900)


# Words of the demo's own data (token, organisation, profile and model names), which stay as they are in any language.
DATA_WORDS = {
    "campus", "ipads", "staff", "macs", "library", "carts", "retail", "stores", "warehouse", "northwind", "school",
    "district", "contoso", "simulated", "organisation", "ipad", "iphone", "macbook", "apple", "business", "manager",
    "admin", "siem", "slack", "demo", "http", "https", "example", "enroll", "mdm", "english",
}
PAGES = [
    "/", "/tokens/Campus%20iPads", "/tokens/Staff%20Macs", "/tokens/Library%20Carts", "/tokens/Retail%20Stores",
    "/tokens/Warehouse", "/tokens/Warehouse/renew", "/tokens/new", "/devices", "/devices?token=Campus%20iPads",
    "/tokens/Campus%20iPads/profiles", "/tokens/Campus%20iPads/profiles/Staff", "/webhooks", "/alerts", "/audit",
    "/webhooks?log=SIEM", "/alerts?log=IT%20Slack",
]
CATALOGUE_KEY = re.compile(r"\b(?:console|state|error|cli|function|severity|notice)\.[a-z_]+\.[a-z_.0-9]+\b")


def english_only_words(messages):
    """Words of the English catalogue that no sentence of `messages` uses: in a translated page, each is English."""
    def words(catalogue):
        found = set()
        for value in catalogue.values():
            for text in (value.values() if isinstance(value, dict) else [value]):
                text = re.sub(r"\{[^}]*\}", " ", text)
                found.update(word.lower() for word in re.findall(r"[A-Za-z]{4,}", text))
        return found
    import json
    directory = os.path.join(os.path.dirname(__file__), "..", "Sources", "ADECore", "Resources", "Messages")
    english = words(json.load(open(os.path.join(directory, "en.json"))))
    other = words(json.load(open(os.path.join(directory, f"{messages}.json"))))
    return english - other - DATA_WORDS


def sweep(driver, console, screenshots):
    """Every page at 1280 and 390 px, in English, French and Indonesian: no page scrolls sideways, and a translated
    page shows no catalogue key, no error code and no English word."""
    problems = []
    codes = re.compile(r"\b(?:token_rejected|terms_not_signed|signature_invalid|oauth_unauthorized|token_expired|"
                       r"access_denied|same_cursor|server_error|unreachable|not_uploaded|cursor_expired)\b")
    for language in ("en", "fr", "id"):
        driver.get(f"{console}/language?lang={language}&back=/")
        english = english_only_words(language) if language != "en" else set()
        for width in (1280, 390):
            driver.set_window_size(width, 900)
            for page in PAGES:
                driver.get(console + page)
                widths = driver.execute_script(
                    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                if widths[0] > widths[1] + 1:
                    wide = driver.execute_script(
                        "const w = document.documentElement.clientWidth; return Array.from("
                        "document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > w + 1)"
                        ".slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round("
                        "e.getBoundingClientRect().right))"
                    )
                    problems.append(f"{language} {width}px {page}: scrolls sideways ({widths[0]} > {widths[1]}): {wide}")
                    name = f"wide-{language}-{width}-{page.strip('/').replace('/', '-') or 'home'}"
                    driver.save_screenshot(os.path.join(screenshots, name[:80] + ".png"))
                if width != 1280:
                    continue
                # At a laptop's width no table hides columns behind a scroll of its own either.
                hidden = driver.execute_script(
                    "return Array.from(document.querySelectorAll('.table-wrap, table')).filter("
                    "e => e.scrollWidth > e.clientWidth + 1).map(e => e.className + ' ' + e.scrollWidth + '>' +"
                    " e.clientWidth)"
                )
                if hidden:
                    problems.append(f"{language} 1280px {page}: a table scrolls inside itself: {hidden}")
                # Identifiers (`token.renew`, Apple's Setup Assistant panes) stand in <code> in every language.
                text = driver.execute_script(
                    "const body = document.body.cloneNode(true); body.querySelectorAll('code, option[value]')"
                    ".forEach(e => { if (e.tagName === 'CODE') e.remove(); }); return body.innerText"
                )
                for key in CATALOGUE_KEY.findall(text):
                    problems.append(f"{language} {page}: a catalogue key shows: {key}")
                if language != "en":
                    for code in set(codes.findall(text)):
                        problems.append(f"{language} {page}: an error code shows: {code}")
                    words = {word.lower() for word in re.findall(r"(?<![\w.])[A-Za-z]{4,}(?![\w.])", text)}
                    for word in sorted(words & english):
                        problems.append(f"{language} {page}: an English word shows: {word}")
        driver.set_window_size(1366, 900)
    driver.get(f"{console}/language?lang=en&back=/")
    return problems


def step(message):
    print(f"browser-test: {message}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ade", default=".build/debug/ade")
    parser.add_argument("--screenshots", default=".ci/artifacts/screenshots")
    arguments = parser.parse_args()

    process, console, password, abm = start_demo(arguments.ade)
    downloads = tempfile.mkdtemp(prefix="ade-browser-")
    driver = browser(downloads)
    wait = WebDriverWait(driver, 30)
    try:
        step(f"demo at {console}")
        driver.get(console)
        wait.until(expected_conditions.presence_of_element_located((By.ID, "password")))
        assert "/login" in driver.current_url, driver.current_url
        shoot(driver, arguments.screenshots, "01-sign-in")
        driver.find_element(By.ID, "name").send_keys("admin")
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

        # The token list, with the banner: four tokens in an error state.
        banner = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".banner")))
        assert "enrollment program tokens are in an error state" in banner.text, banner.text
        # Each token says what its state stops, as its own page does: an expiring token stops nothing yet.
        assert "Staff Macs: Expiring — nothing is affected yet" in banner.text, banner.text
        assert "Warehouse: Token rejected — Device sync from ABM/ASM" in banner.text, banner.text
        crumbs = driver.find_element(By.CSS_SELECTOR, ".breadcrumb").text
        assert "Enrollment program tokens" in crumbs and "Apple enrollment" in crumbs, crumbs
        step("signed in; the banner lists the tokens in an error state")
        shoot(driver, arguments.screenshots, "02-tokens")

        # The expired token, from the banner.
        banner.find_element(By.LINK_TEXT, EXPIRED_TOKEN).click()
        state = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".state-card")))
        assert "Expired" in state.text, state.text
        assert "How to fix it" in state.text, state.text
        shoot(driver, arguments.screenshots, "03-expired-token")
        step("the expired token says why and how to fix it")

        # A new token from the simulated Apple Business Manager.
        driver.get(abm)
        row = wait.until(
            expected_conditions.presence_of_element_located(
                (By.XPATH, f"//tr[td[contains(., '{EXPIRED_TOKEN}')]]")
            )
        )
        row.find_element(By.XPATH, ".//button[contains(., 'Download token')]").click()
        deadline = time.time() + 30
        files = []
        while time.time() < deadline:
            files = [name for name in os.listdir(downloads) if name.endswith(".p7m")]
            if files:
                break
            time.sleep(0.2)
        assert files, "no .p7m downloaded from the simulated ABM"
        token_file = os.path.join(downloads, files[0])
        step(f"downloaded {files[0]} from the simulated ABM")

        # The renew wizard.
        driver.get(console + "/")
        wait.until(expected_conditions.presence_of_element_located((By.LINK_TEXT, EXPIRED_TOKEN)))
        driver.find_element(By.XPATH, f"//tr[th/a[text()='{EXPIRED_TOKEN}']]//a[text()='Renew']").click()
        upload = wait.until(expected_conditions.presence_of_element_located((By.ID, "token-file")))
        shoot(driver, arguments.screenshots, "04-renew-wizard")
        upload.send_keys(token_file)
        driver.find_element(By.XPATH, "//section[@aria-labelledby='step-upload']//button[@type='submit']").click()
        notice = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
        assert "renewed" in notice.text, notice.text
        step("renewed through the wizard")

        # Healthy again once the sync that the renewal started has run.
        deadline = time.time() + 90
        while True:
            text = driver.find_element(By.CSS_SELECTOR, ".state-card").text
            if "Healthy" in text:
                break
            if time.time() > deadline:
                raise AssertionError(f"the token did not become healthy: {text}")
            time.sleep(1)
            driver.refresh()
        shoot(driver, arguments.screenshots, "05-renewed-token")
        driver.get(console + "/devices")
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table")))
        shoot(driver, arguments.screenshots, "06-devices")
        # The demo's healthy token has a default profile: its devices are assigned as they sync.
        driver.get(console + "/tokens/Campus%20iPads/profiles")
        deadline = time.time() + 60
        while "Assigned:" not in driver.find_element(By.TAG_NAME, "main").text:
            if time.time() > deadline:
                raise AssertionError("no device of Campus iPads was assigned its default profile")
            time.sleep(1)
            driver.refresh()
        shoot(driver, arguments.screenshots, "07-profiles")
        driver.get(console + "/tokens/Campus%20iPads/profiles/Staff")
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "input[name='url']")))
        shoot(driver, arguments.screenshots, "08-profile-editor")
        # A webhook added in the console: its signing secret is shown once.
        driver.find_element(By.LINK_TEXT, "Webhooks").click()
        driver.find_element(By.ID, "webhook-name").send_keys("SIEM")
        driver.find_element(By.ID, "webhook-url").send_keys("https://siem.example.com/ade")
        driver.find_element(By.CSS_SELECTOR, "form[action='/webhooks'] button[type='submit']").click()
        secret = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".secret-value")))
        assert secret.text.startswith("whsec_"), secret.text
        shoot(driver, arguments.screenshots, "09-webhooks")
        # An alert channel: Slack, writing in French.
        driver.find_element(By.LINK_TEXT, "Alerts").click()
        driver.find_element(By.ID, "channel-name").send_keys("IT Slack")
        Select(driver.find_element(By.ID, "channel-kind")).select_by_value("slack")
        Select(driver.find_element(By.ID, "channel-language")).select_by_value("fr")
        driver.find_element(By.ID, "channel-url").send_keys("https://hooks.slack.com/services/T000/B000/demo")
        driver.find_element(By.CSS_SELECTOR, "form[action='/alerts'] button[type='submit']").click()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
        assert "https://hooks.slack.com/…" in driver.find_element(By.TAG_NAME, "main").text
        shoot(driver, arguments.screenshots, "10-alerts")
        # Every change above is in the audit log, under the signed-in user.
        driver.find_element(By.LINK_TEXT, "Audit log").click()
        main = driver.find_element(By.TAG_NAME, "main").text
        for action in ("token.renew", "webhook.create", "alert_channel.create"):
            assert action in main, f"{action} is not in the audit log"
        shoot(driver, arguments.screenshots, "11-audit")
        # The console in French, through the language picker: the token whose terms are pending explains itself.
        driver.get(console + "/language?lang=fr&back=/tokens/Retail%20Stores")
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Conditions non acceptées" in main and "Comment résoudre le problème" in main, main
        shoot(driver, arguments.screenshots, "12-token-fr")
        step("the token is healthy again; profiles assigned; webhook, alert channel added; audited; screenshots in "
             + arguments.screenshots)
        problems = sweep(driver, console, arguments.screenshots)
        for problem in problems:
            print(f"browser-test: {problem}", flush=True)
        assert not problems, f"{len(problems)} layout or language problems"
        step(f"{len(PAGES)} pages at 1280 and 390 px in English, French and Indonesian: none scrolls sideways, no "
             "catalogue key, error code or English word in a translated page")
    except Exception:
        os.makedirs(arguments.screenshots, exist_ok=True)
        driver.save_screenshot(os.path.join(arguments.screenshots, "failure.png"))
        with open(os.path.join(arguments.screenshots, "failure.html"), "w") as page:
            page.write(driver.page_source)
        raise
    finally:
        driver.quit()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    if process.returncode != 0:
        raise SystemExit(f"ade demo exited with {process.returncode}")
    step("passed")


if __name__ == "__main__":
    sys.exit(main())
