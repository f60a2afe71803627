/** A realistic ~2 KB HTML customer email: greeting, text, a quoted reply and a signature. */
export function sampleHtml(): string {
  return `<html><body><div dir="ltr"><p>Sehr geehrte Damen und Herren,</p>
<p>hiermit teile ich Ihnen meinen aktuellen Zählerstand mit. Der Stromzähler mit der Nummer
<b>1ESY1160123456</b> zeigt heute <b>12.345,6 kWh</b>. Bitte passen Sie meinen monatlichen
Abschlag entsprechend an, da ich im letzten Jahr deutlich weniger verbraucht habe als geschätzt.</p>
<p>Außerdem habe ich eine Frage zu meiner letzten Rechnung vom 15.02.2024: Dort ist eine
Grundgebühr aufgeführt, die höher ist als im Vertrag vereinbart. Könnten Sie das bitte prüfen?</p>
<p>Meine Vertragsnummer lautet 4711-0815, meine Kundennummer 100234567.</p>
<p>Vielen Dank im Voraus für Ihre Mühe.</p>
<p>Mit freundlichen Grüßen<br>Max Mustermann<br>Musterstraße 12<br>12345 Musterstadt<br>Tel. 0170 1234567</p>
</div><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Am Mo., 1. März 2024 um 10:00 Uhr schrieb Kundenservice &lt;service@example.de&gt;:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">
<p>Sehr geehrter Herr Mustermann,</p><p>vielen Dank für Ihre Nachricht. Bitte teilen Sie uns Ihren aktuellen Zählerstand mit,
damit wir Ihre Abschlagszahlung überprüfen können. Sie können den Zählerstand auch bequem im Kundenportal eingeben.</p>
<p>Mit freundlichen Grüßen<br>Ihr Kundenservice</p></blockquote></div></body></html>`;
}
