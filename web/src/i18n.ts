// Japanese (the seed guide's wording) by default, English on request; the choice is remembered.

export type Lang = "ja" | "en";

const texts = {
  product: ["ivrcast IVR", "ivrcast IVR"],
  language: ["English", "日本語"],
  language_label: ["Switch to English", "日本語に切り替え"],
  // login and passwords (guide §3)
  email: ["メールアドレス", "Email address"],
  email_placeholder: ["メールアドレスを入力", "Enter your email address"],
  password: ["パスワード", "Password"],
  password_placeholder: ["パスワードを入力", "Enter your password"],
  login: ["ログイン", "Log in"],
  forgot: ["パスワードを忘れた場合", "Forgot your password?"],
  reset_title: ["パスワード初期化", "Reset your password"],
  reset_intro: [
    "パスワードを初期化するためのURLをメール送付します。送付されたURLからパスワードの再設定をお願いします。",
    "We will email you a link to reset your password. Set a new password from that link.",
  ],
  send: ["送信", "Send"],
  back_to_login: ["ログイン画面に戻る", "Back to login"],
  reset_sent: [
    "メールを送信しました。メールに記載されたURLまたは認証コードでパスワードを再設定してください（有効期間1時間）。",
    "If the address is registered, a mail is on its way. Use its link or code within one hour.",
  ],
  reset_confirm_title: ["パスワード再設定", "Set a new password"],
  reset_code: ["認証コード", "Verification code"],
  reset_done: ["パスワードを再設定しました。新しいパスワードでログインしてください。", "Your password was reset. Log in with the new one."],
  change_title: ["パスワード変更", "Change password"],
  change_forced: [
    "パスワードの有効期間が過ぎたか、仮パスワードでログインしています。新しいパスワードを設定してください。",
    "Your password expired or is temporary. Choose a new password to continue.",
  ],
  current_password: ["現在のパスワード", "Current password"],
  current_password_placeholder: ["現在のパスワードを入力", "Enter your current password"],
  new_password: ["新パスワード", "New password"],
  new_password_placeholder: ["新パスワードを入力", "Enter a new password"],
  new_password_confirm: ["新パスワード確認", "Confirm new password"],
  new_password_confirm_placeholder: ["新パスワード確認を入力", "Enter the new password again"],
  password_rule: [
    "空白を含まず、英字大文字・英字小文字・数字・記号をそれぞれ含む10桁以上で設定してください。",
    "At least 10 characters, no spaces, with an upper-case letter, a lower-case letter, a digit and a symbol.",
  ],
  required_note: ["*は必須項目です。", "* marks a required field."],
  cancel: ["キャンセル", "Cancel"],
  set: ["設定", "Save"],
  password_changed: ["パスワードを変更しました。", "Your password was changed."],
  passwords_differ: ["新パスワードと新パスワード確認が一致しません。", "The two new passwords differ."],
  logout: ["ログアウト", "Log out"],
  logged_out_idle: ["30分操作がなかったため、ログアウトしました。再度ログインしてください。", "You were logged out after 30 minutes without activity. Log in again."],
  // account selection
  accounts_title: ["アカウント選択", "Choose an account"],
  accounts_intro: ["アカウント通知書へ記載されている企業とアカウントを選択してください。", "Choose the enterprise and account from your account notice."],
  enterprise: ["企業", "Enterprise"],
  account: ["アカウント", "Account"],
  role: ["権限", "Role"],
  choose: ["選択", "Choose"],
  terminated: ["解約済み", "Terminated"],
  switch_account: ["アカウント切替", "Switch account"],
  // roles
  role_enterprise_admin: ["企業管理者", "Enterprise admin"],
  role_senior_admin: ["上位管理者", "Senior admin"],
  role_admin: ["管理者", "Admin"],
  role_member: ["一般利用者", "Member"],
  role_none: ["権限なし", "No role"],
  // navigation
  nav_numbers: ["着信用電話番号", "Incoming numbers"],
  nav_log: ["配信ログ", "Delivery log"],
  nav_counts: ["着信件数", "Call counts"],
  nav_users: ["企業ユーザー管理", "Users"],
  nav_support: ["サポート", "Support"],
  menu: ["メニュー", "Menu"],
  // numbers (guide §4.1)
  numbers_title: ["着信用電話番号", "Incoming numbers"],
  phone_number: ["電話番号", "Phone number"],
  flow: ["フロー", "Flow"],
  published_at: ["公開日時", "Published at"],
  state_unregistered: ["未登録", "Unregistered"],
  state_draft: ["下書き", "Draft"],
  state_published: ["公開", "Published"],
  register: ["フロー登録", "Register flow"],
  view_published: ["公開済みフロー", "Published flow"],
  edit: ["フロー編集", "Edit flow"],
  delete_flow: ["フロー削除", "Delete flow"],
  register_intro: ["1つの着信用電話番号に対し、設定できるフローは1つです。", "One flow per incoming number."],
  next: ["次へ", "Next"],
  delete_flow_confirm: [
    "この操作は取り消せませんが、{0} のフローを削除しますか？削除すると着信は受け付けられなくなります。",
    "This cannot be undone: delete the flow of {0}? Calls to it will be rejected.",
  ],
  delete: ["削除", "Delete"],
  no_numbers: ["利用可能な着信用電話番号がありません。", "This account has no incoming numbers."],
  flow_deleted: ["フローを削除しました。", "The flow was deleted."],
  // flow editor (guide §4.3)
  editor_title: ["フロー編集", "Edit flow"],
  published_title: ["公開済みフロー", "Published flow"],
  guidance: ["音声ガイダンス設定", "Voice guidance"],
  guidance_intro: [
    "携帯電話番号（070、080、090から始まる番号）からの着信には④のみ、それ以外からの着信には①〜⑥のガイダンスが流れます。③⑥はシステム固定のため変更できません。",
    "Callers from mobiles (070, 080, 090) hear step 4 only; other callers hear steps 1 to 6. Steps 3 and 6 are fixed by the system.",
  ],
  step_1: ["着信時のご案内（携帯電話以外）", "Greeting (callers not on a mobile)"],
  step_2: ["携帯電話番号の入力案内", "Asks for the mobile number"],
  step_3: ["携帯電話番号の入力待ち（約10秒）", "Waits for the digits (about 10 s)"],
  step_4: ["SMS送信完了のご案内", "\u201cWe have sent you an SMS\u201d"],
  step_5: ["番号を認識できない場合の再入力案内", "Number not recognised, asks again"],
  step_6: ["入力を3回失敗した場合の終話案内", "Gives up after 3 failed entries"],
  fixed: ["固定", "Fixed"],
  fixed_step: ["システム固定のガイダンスです（音声含め変更できません）。", "Fixed by the system (text and audio cannot be changed)."],
  guidance_kind: ["ガイダンス種別", "Guidance type"],
  kind_text: ["テキスト", "Text"],
  kind_audio: ["音声ファイル", "Audio file"],
  kind_empty: ["未設定", "Not set"],
  audio_rules: [
    "8KHzのwavファイル、50MB未満かつ5分未満、U-Lawエンコーディング、モノラル",
    "WAV, 8 kHz, μ-law, mono, under 50 MB and under 5 minutes",
  ],
  switch_kind_hint: [
    "読み上げ方法（テキスト/音声ファイル）を変更するには、いったん削除してから編集してください。",
    "To switch between text and audio, delete the step first.",
  ],
  edit_step: ["編集", "Edit"],
  delete_step: ["削除", "Delete"],
  listen: ["音声確認", "Listen"],
  loading_audio: ["音声を準備しています…", "Preparing audio…"],
  save_draft: ["下書き保存", "Save draft"],
  draft_saved: ["下書き保存しました。公開するまでIVRへの反映は行われません。", "Draft saved. Callers hear it after you publish."],
  uploading: ["アップロード中", "Uploading"],
  chars: ["{0} / {1}文字", "{0} / {1} characters"],
  sms_settings: ["SMS設定", "SMS settings"],
  sender_id: ["送信元表示番号", "Sender ID"],
  sender_id_help: [
    "SMSを受信した際に表示される番号です。※SoftBank社のみ、SMS表示元番号変更オプション申込時を除き6桁の固定番号が表示されます。",
    "Shown to the recipient. SoftBank shows a fixed 6-digit number unless the account has the SoftBank sender option.",
  ],
  body: ["配信原稿", "Message"],
  body_help: ["最大文字数は660文字です。70文字以上はキャリアと文字数に応じて課金計算時の分割単位が変動します。", "At most 660 characters. Over 70, billed segments depend on the carrier."],
  short_urls: ["短縮URL", "Short URLs"],
  short_urls_help: [
    "SMS送信時にURLを短縮URL（前後の半角スペースを含め25文字）で送付します。上限は5つです。",
    "URLs are sent as short links (25 characters with a space either side); at most 5.",
  ],
  length_may_differ: [
    "短縮URLの利用や特殊文字の利用により、実際の配信文字数と異なる場合があります。",
    "The sent length may differ (short URLs, special characters).",
  ],
  sent_length: ["配信時の文字数: {0}", "Length when sent: {0}"],
  segments: ["課金分割数", "Billed segments"],
  carrier_au: ["au", "au"],
  carrier_docomo: ["docomo", "docomo"],
  carrier_softbank: ["SoftBank", "SoftBank"],
  carrier_rakuten: ["楽天モバイル", "Rakuten Mobile"],
  over_limit: ["上限超過", "too long"],
  publish: ["公開", "Publish"],
  publish_confirm: ["現在の下書きを公開します。次の着信から新しいフローで動作します。よろしいですか？", "Publish the draft? The next call uses the new flow."],
  published_ok: ["公開しました。", "Published."],
  not_published_yet: ["まだ公開されていません。", "Not published yet."],
  back: ["一覧に戻る", "Back to the list"],
  // delivery log (guide §5)
  log_title: ["配信ログ", "Delivery log"],
  scheduled_range: ["送信予定時刻", "Send-scheduled time"],
  destination: ["配信先電話番号", "Destination number"],
  optional: ["任意", "optional"],
  range_from: ["{0}（開始）", "{0} (from)"],
  range_to: ["{0}（終了）", "{0} (to)"],
  required: ["必須", "required"],
  search: ["検索", "Search"],
  download: ["検索結果をダウンロード", "Download results"],
  encoding: ["文字コード", "Encoding"],
  downloading: ["ダウンロード中… {0}", "Downloading… {0}"],
  downloaded: ["ダウンロードしました（{0}）。", "Downloaded ({0})."],
  log_note: [
    "配信ログは各ステータスの変化から数秒以内に反映されます。検索できる範囲は過去3か月までです。",
    "Rows appear within seconds of each status change. The last 3 months can be searched.",
  ],
  col_kind: ["種別", "Type"],
  col_scheduled: ["送信予定時刻", "Scheduled"],
  col_sent: ["送信時刻", "Sent"],
  col_incoming: ["着信用電話番号", "Incoming number"],
  col_destination: ["配信先電話番号", "Destination"],
  col_carrier: ["キャリア", "Carrier"],
  col_channel: ["チャンネル", "Channel"],
  col_campaign: ["案件名", "Campaign"],
  results: ["全{0}件", "{0} results"],
  results_more: ["先頭{0}件を表示しています。", "Showing the first {0}."],
  show_more: ["さらに表示", "Show more"],
  no_results: ["該当する配信ログはありません。", "No rows match."],
  // call counts (guide §6)
  counts_title: ["着信件数", "Call counts"],
  call_date: ["着信日", "Call date"],
  all_numbers: ["すべて", "All"],
  count: ["着信件数", "Calls"],
  counts_note: [
    "前日分までの着信件数を最大3ヶ月間で検索できます。",
    "Whole days up to yesterday, at most 3 months.",
  ],
  counts_criteria: ["着信日時「{0}~{1}」 着信用電話番号「{2}」", "Dates \u201c{0}–{1}\u201d, number \u201c{2}\u201d"],
  per_day: ["日別", "By day"],
  // users (guide §7)
  users_title: ["ユーザー", "Users"],
  new_user: ["新規作成", "New user"],
  new_user_title: ["ユーザー登録", "Create user"],
  edit_user_title: ["ユーザー情報の編集", "Edit user"],
  user_name: ["ユーザー名", "User name"],
  user_id: ["ID", "ID"],
  status: ["ステータス", "Status"],
  active: ["有効", "Active"],
  inactive: ["無効", "Inactive"],
  add_role: ["追加", "Add"],
  remove: ["削除", "Remove"],
  roles_help: ["「追加」を押下し、アカウントと権限を選択してください。", "Press Add and choose an account and role."],
  create_note: [
    "ユーザー登録を行うと、登録したメールアドレス宛てに仮パスワード記載のメールが送信されます。",
    "The new user receives a temporary password by email.",
  ],
  save: ["保存", "Save"],
  edit_user: ["編集", "Edit"],
  edit_user_desc: ["ユーザー情報の編集", "Edit the user"],
  delete_user_desc: ["ユーザーの削除", "Delete the user"],
  reset_user: ["パスワードリセット", "Reset password"],
  reset_user_desc: ["パスワードをリセットし、再設定通知の送信", "Reset the password and send the reset mail"],
  delete_user_confirm: ["この操作は取り消せませんが、{0}を削除しますか？", "This cannot be undone: delete {0}?"],
  user_created: ["ユーザーを登録しました。仮パスワードをメールで送信しました。", "User created; the temporary password was mailed."],
  user_saved: ["ユーザー情報を保存しました。", "User saved."],
  user_deleted: ["ユーザーを削除しました。", "User deleted."],
  user_reset: ["パスワードをリセットし、再設定依頼メールを送信しました。", "Password reset; the reset mail was sent."],
  // support (guide §8)
  support_title: ["サポート", "Support"],
  support_intro: [
    "メンテナンス情報、よくある質問、お問い合わせ窓口のご案内です。",
    "Maintenance notices, frequently asked questions and how to reach us.",
  ],
  support_maintenance: ["メンテナンス情報", "Maintenance"],
  support_maintenance_text: [
    "計画メンテナンスや障害のお知らせは、お申し込み時にご登録いただいた連絡先へメールでお送りします。",
    "Planned maintenance and incident notices are mailed to your account's registered contacts.",
  ],
  support_faq: ["よくある質問", "FAQ"],
  faq_1q: ["フローを編集したのに着信時の案内が変わりません。", "I edited the flow but callers hear the old one."],
  faq_1a: ["編集内容は下書きです。「公開」を押下するとIVRに反映されます。", "Edits are a draft until you press Publish."],
  faq_2q: ["パスワードがロックされました。", "My login is locked."],
  faq_2a: ["5回連続でパスワードを間違えるとロックされます。ロックは30分後に解除されます。", "Five wrong passwords in a row lock the login for 30 minutes."],
  faq_3q: ["配信ログに反映されません。", "A message is not in the delivery log."],
  faq_3a: ["検索範囲（送信予定時刻）と配信先電話番号をご確認ください。", "Check the time range and the destination number."],
  support_contact: ["お問い合わせ", "Contact"],
  support_contact_text: [
    "削除したユーザーの再登録、仮パスワードの有効期限切れなどは、ご契約の運用窓口までご連絡ください。",
    "To re-register a deleted user or for an expired temporary password, contact your operator.",
  ],
  // generic
  skip: ["本文へ移動", "Skip to content"],
  error_generic: ["エラーが発生しました: {0}", "Something went wrong: {0}"],
  forbidden_screen: ["この画面を利用する権限がありません。", "Your role cannot use this screen."],
} as const;

export type TextKey = keyof typeof texts;

// API error codes, worded for the person at the screen; the API's own message is the fallback.
const errors: Record<string, [string, string]> = {
  invalid_credentials: ["メールアドレスまたはパスワードが正しくありません。", "The email address or password is wrong."],
  locked: [
    "パスワードを5回連続で間違えたため、ロックされています。30分後に再度お試しください。",
    "Five wrong passwords: the login is locked for 30 minutes.",
  ],
  too_many_attempts: ["試行回数が多すぎます。1分ほど待ってから再度お試しください。", "Too many attempts: wait a minute."],
  temporary_password_expired: [
    "仮パスワードの有効期間（14日間）が過ぎています。パスワードの再設定を依頼してください。",
    "The temporary password expired (14 days). Ask for a password reset.",
  ],
  not_logged_in: ["ログインしてください。", "Please log in."],
  account_terminated: ["このアカウントは解約済みです。", "This account is terminated."],
  ip_not_allowed: ["このIPアドレスからはアクセスできません。", "Access from your IP address is not allowed."],
  forbidden: ["この操作を行う権限がありません。", "Your role may not do this."],
  csrf_failed: ["画面を再読み込みしてから、もう一度お試しください。", "Reload the page and try again."],
  required: ["必須項目です。", "Required."],
  bad_email: ["メールアドレスの形式が正しくありません。", "Not a valid email address."],
  password_too_short: ["パスワードは10桁以上で設定してください。", "At least 10 characters."],
  password_has_whitespace: ["パスワードに空白は使用できません。", "No spaces allowed."],
  password_needs_upper: ["英字大文字を含めてください。", "Include an upper-case letter."],
  password_needs_lower: ["英字小文字を含めてください。", "Include a lower-case letter."],
  password_needs_digit: ["数字を含めてください。", "Include a digit."],
  password_needs_symbol: ["記号を含めてください。", "Include a symbol."],
  wrong_password: ["現在のパスワードが正しくありません。", "The current password is wrong."],
  password_unchanged: ["現在と異なるパスワードを設定してください。", "Choose a password different from the current one."],
  invalid_reset_code: ["認証コードが正しくないか、有効期間（1時間）が過ぎています。", "The code is wrong or expired (1 hour)."],
  unknown_number: ["この着信用電話番号は利用できません。", "This number is not one of the account's."],
  flow_not_registered: ["フローが登録されていません。", "No flow is registered for this number."],
  flow_exists: ["この着信用電話番号にはすでにフローが登録されています。", "A flow is already registered for this number."],
  step_not_editable: ["このガイダンスは変更できません。", "This step cannot be changed."],
  delete_step_first: [
    "読み上げ方法を変更するには、いったん削除してから編集してください。",
    "Delete the step first to switch between text and audio.",
  ],
  step_empty: ["ガイダンスを入力してください。", "Enter the guidance."],
  step_missing: ["未設定のガイダンスがあります。すべてのガイダンスを設定してから公開してください。", "Set every step before publishing."],
  text_too_long: ["文字数上限は100文字です。", "At most 100 characters."],
  body_too_long: ["配信原稿の最大文字数は660文字です。", "At most 660 characters."],
  too_many_urls: ["メッセージに指定できる短縮URLの上限は5つです。", "At most 5 URLs with short URLs on."],
  unknown_sender_id: ["送信元表示番号をプルダウンから選択してください。", "Choose a registered sender ID."],
  audio_not_wav: ["wavファイルを指定してください。", "The file is not a WAV file."],
  audio_not_mulaw: ["U-Lawエンコーディングのwavファイルを指定してください。", "The WAV must be μ-law encoded."],
  audio_not_8khz: ["8KHzのwavファイルを指定してください。", "The WAV must be 8 kHz."],
  audio_not_mono: ["モノラルチャンネルオーディオを指定してください。", "The WAV must be mono."],
  audio_too_large: ["50MB未満のファイルを指定してください。", "The file must be under 50 MB."],
  audio_too_long: ["5分未満の音声を指定してください。", "The audio must be under 5 minutes."],
  body_too_large: ["ファイルが大きすぎます。", "The file is too large."],
  bad_date: ["日付の形式が正しくありません。", "Not a valid date."],
  bad_range: ["終了は開始より後の日時を指定してください。", "The end must be after the start."],
  out_of_range: ["指定可能な範囲外です。", "Outside the range that can be searched."],
  bad_phone_number: ["電話番号は+81または0から始まる番号で入力してください。", "Enter a number in +81… or 0… form."],
  email_taken: ["このメールアドレスはすでに登録されています。", "This email address is already registered."],
  bad_name: ["ユーザー名は1〜100文字で入力してください。", "1 to 100 characters."],
  bad_roles: ["権限を1つ以上追加してください。", "Add at least one account role."],
  bad_role: ["アカウントと権限を選択してください。", "Choose an account and a role."],
  unknown_user: ["ユーザーが見つかりません。", "No such user."],
  cannot_delete_self: ["ご自身のユーザーは削除できません。", "You cannot delete yourself."],
  tts_unavailable: ["音声を生成できませんでした。", "The audio could not be made."],
  network: ["サーバーに接続できません。", "The server cannot be reached."],
};

let current: Lang = (localStorage.getItem("ivrcast.lang") as Lang | null) === "en" ? "en" : "ja";

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem("ivrcast.lang", l);
  document.documentElement.lang = l;
}

/** The text of `key` in the current language, with {0}, {1}… filled from `args`. */
export function t(key: TextKey, ...args: (string | number)[]): string {
  const pair = texts[key];
  let s: string = current === "ja" ? pair[0] : pair[1];
  args.forEach((a, i) => (s = s.replace(`{${i}}`, String(a))));
  return s;
}

/** The wording of an API error code, or the API's message when the code has none here. */
export function errorText(code: string, apiMessage: string): string {
  const pair = errors[code];
  if (!pair) return apiMessage;
  return current === "ja" ? pair[0] : pair[1];
}

document.documentElement.lang = current;
