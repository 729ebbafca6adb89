//! The widget's words in English, French, German and Spanish. Dates and times are not here: the
//! browser's `Intl` formats them for the locale.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    De,
    Es,
}

impl Lang {
    /// From a BCP 47 tag (`fr-CA` → French); English when unknown.
    pub fn from_tag(tag: &str) -> Lang {
        match tag.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("fr") => Lang::Fr,
            Some("de") => Lang::De,
            Some("es") => Lang::Es,
            _ => Lang::En,
        }
    }

    pub fn tag(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Es => "es",
        }
    }

    pub fn texts(&self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::De => &DE,
            Lang::Es => &ES,
        }
    }
}

/// Fills `{}` placeholders in order.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push_str(args.get(i).copied().unwrap_or(""));
        out.push_str(part);
    }
    out
}

pub struct Texts {
    pub title: &'static str,
    pub close: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub country: &'static str,
    pub reason: &'static str,
    pub consent: &'static str,
    pub call_now: &'static str,
    /// `{}` = minutes.
    pub wait: &'static str,
    pub no_wait: &'static str,
    pub closed_now: &'static str,
    pub choose_time: &'static str,
    pub days: &'static str,
    pub times: &'static str,
    /// `{}` = the empty day, `{}` = the day shown instead.
    pub no_slots_day: &'static str,
    pub no_slots: &'static str,
    pub back: &'static str,
    pub book: &'static str,
    pub sending: &'static str,
    pub loading: &'static str,
    pub done_now: &'static str,
    /// `{}` = time.
    pub done_at: &'static str,
    /// `{}` = time, `{}` = zone.
    pub business_time: &'static str,
    pub reference: &'static str,
    pub add_calendar: &'static str,
    pub manage: &'static str,
    pub taken: &'static str,
    pub alternatives: &'static str,
    pub limit: &'static str,
    /// `{}` = seconds.
    pub too_many: &'static str,
    pub network: &'static str,
    pub retry: &'static str,
    pub invalid: &'static str,
    pub not_found: &'static str,
    /// The page's site is not among the service's allowed origins.
    pub site_not_allowed: &'static str,
    /// Parts of the day the free times are grouped in.
    pub morning: &'static str,
    pub afternoon: &'static str,
    pub evening: &'static str,
    pub status: &'static str,
    pub manage_title: &'static str,
    pub cancel: &'static str,
    pub cancelled: &'static str,
    pub reschedule: &'static str,
    pub rescheduled: &'static str,
    pub calendar_title: &'static str,
    pub state_scheduled: &'static str,
    pub state_waiting: &'static str,
    pub state_calling: &'static str,
    pub state_done: &'static str,
    pub state_cancelled: &'static str,
    /// The manage page's: an agent is ready and asks the customer to confirm; user-originated,
    /// the number to call.
    #[cfg(feature = "manage")]
    pub confirm_prompt: &'static str,
    #[cfg(feature = "manage")]
    pub confirm: &'static str,
    #[cfg(feature = "manage")]
    pub call_us: &'static str,
    /// A chat's: an agent is ready (Chat Delayed); the chat goes on.
    #[cfg(feature = "manage")]
    pub chat_ready: &'static str,
    #[cfg(feature = "manage")]
    pub chat_open: &'static str,
    #[cfg(feature = "manage")]
    pub code: &'static str,
}

pub static EN: Texts = Texts {
    title: "Request a callback",
    close: "Close",
    name: "Your name",
    phone: "Phone number",
    country: "Country",
    reason: "What is it about? (optional)",
    consent: "We use your number only to call you back about this request.",
    call_now: "Call me now",
    wait: "Current wait: about {} min",
    no_wait: "No wait right now",
    closed_now: "We are closed right now: choose a time.",
    choose_time: "Choose a time",
    days: "Day",
    times: "Free times",
    no_slots_day: "No free time on {}. Showing {}.",
    no_slots: "No free time in the coming days.",
    back: "Back",
    book: "Book this time",
    sending: "Sending…",
    loading: "Loading…",
    done_now: "We will call you shortly.",
    done_at: "We will call you {}.",
    business_time: "({} our time, {})",
    reference: "Reference",
    add_calendar: "Add to calendar",
    manage: "Change or cancel",
    taken: "That time was just taken. Here are the nearest free times:",
    alternatives: "Nearest free times",
    limit: "We cannot take more requests right now. Please try again later.",
    too_many: "Too many attempts. Please try again in {} seconds.",
    network: "We could not reach the service. Check your connection and try again.",
    retry: "Try again",
    invalid: "Please check the phone number.",
    not_found: "This callback request does not exist (any more).",
    site_not_allowed: "This site is not set up for callbacks yet.",
    morning: "Morning",
    afternoon: "Afternoon",
    evening: "Evening",
    status: "Status",
    manage_title: "Your callback",
    cancel: "Cancel the callback",
    cancelled: "Your callback is cancelled.",
    reschedule: "Choose another time",
    rescheduled: "Your callback is moved.",
    calendar_title: "Callback",
    state_scheduled: "Booked",
    state_waiting: "Waiting for an agent",
    state_calling: "Calling you",
    state_done: "Done",
    state_cancelled: "Cancelled",
    #[cfg(feature = "manage")]
    confirm_prompt: "An agent is ready to call you. Shall we call you now?",
    #[cfg(feature = "manage")]
    confirm: "Call me now",
    #[cfg(feature = "manage")]
    call_us: "Call us now on",
    #[cfg(feature = "manage")]
    chat_ready: "An agent is ready — start the chat",
    #[cfg(feature = "manage")]
    chat_open: "Open the chat",
    #[cfg(feature = "manage")]
    code: "Your code",
};

pub static FR: Texts = Texts {
    title: "Demander un rappel",
    close: "Fermer",
    name: "Votre nom",
    phone: "Numéro de téléphone",
    country: "Pays",
    reason: "À quel sujet ? (facultatif)",
    consent: "Nous utilisons votre numéro uniquement pour vous rappeler au sujet de cette demande.",
    call_now: "Appelez-moi maintenant",
    wait: "Attente actuelle : environ {} min",
    no_wait: "Pas d'attente en ce moment",
    closed_now: "Nous sommes fermés pour le moment : choisissez un horaire.",
    choose_time: "Choisir un horaire",
    days: "Jour",
    times: "Horaires libres",
    no_slots_day: "Aucun horaire libre le {}. Voici le {}.",
    no_slots: "Aucun horaire libre dans les prochains jours.",
    back: "Retour",
    book: "Réserver cet horaire",
    sending: "Envoi…",
    loading: "Chargement…",
    done_now: "Nous vous appelons dans un instant.",
    done_at: "Nous vous appellerons {}.",
    business_time: "({} chez nous, {})",
    reference: "Référence",
    add_calendar: "Ajouter au calendrier",
    manage: "Modifier ou annuler",
    taken: "Cet horaire vient d'être pris. Voici les horaires libres les plus proches :",
    alternatives: "Horaires libres les plus proches",
    limit: "Nous ne pouvons pas prendre d'autres demandes pour le moment. Réessayez plus tard.",
    too_many: "Trop de tentatives. Réessayez dans {} secondes.",
    network: "Le service est injoignable. Vérifiez votre connexion et réessayez.",
    retry: "Réessayer",
    invalid: "Vérifiez le numéro de téléphone.",
    not_found: "Cette demande de rappel n'existe pas (ou plus).",
    site_not_allowed: "Ce site n'est pas encore configuré pour les rappels.",
    morning: "Matin",
    afternoon: "Après-midi",
    evening: "Soir",
    status: "État",
    manage_title: "Votre rappel",
    cancel: "Annuler le rappel",
    cancelled: "Votre rappel est annulé.",
    reschedule: "Choisir un autre horaire",
    rescheduled: "Votre rappel est déplacé.",
    calendar_title: "Rappel",
    state_scheduled: "Réservé",
    state_waiting: "En attente d'un conseiller",
    state_calling: "Appel en cours",
    state_done: "Terminé",
    state_cancelled: "Annulé",
    #[cfg(feature = "manage")]
    confirm_prompt: "Un conseiller est prêt à vous appeler. On vous appelle maintenant ?",
    #[cfg(feature = "manage")]
    confirm: "Appelez-moi maintenant",
    #[cfg(feature = "manage")]
    call_us: "Appelez-nous maintenant au",
    #[cfg(feature = "manage")]
    chat_ready: "Un conseiller est prêt — commencer la discussion",
    #[cfg(feature = "manage")]
    chat_open: "Ouvrir la discussion",
    #[cfg(feature = "manage")]
    code: "Votre code",
};

pub static DE: Texts = Texts {
    title: "Rückruf anfordern",
    close: "Schließen",
    name: "Ihr Name",
    phone: "Telefonnummer",
    country: "Land",
    reason: "Worum geht es? (optional)",
    consent: "Wir verwenden Ihre Nummer nur, um Sie zu dieser Anfrage zurückzurufen.",
    call_now: "Jetzt anrufen",
    wait: "Aktuelle Wartezeit: etwa {} Min.",
    no_wait: "Gerade keine Wartezeit",
    closed_now: "Wir sind gerade geschlossen: Wählen Sie eine Zeit.",
    choose_time: "Zeit wählen",
    days: "Tag",
    times: "Freie Zeiten",
    no_slots_day: "Keine freie Zeit am {}. Angezeigt: {}.",
    no_slots: "In den nächsten Tagen ist keine Zeit frei.",
    back: "Zurück",
    book: "Diese Zeit buchen",
    sending: "Wird gesendet…",
    loading: "Wird geladen…",
    done_now: "Wir rufen Sie gleich an.",
    done_at: "Wir rufen Sie {} an.",
    business_time: "({} bei uns, {})",
    reference: "Referenz",
    add_calendar: "Zum Kalender hinzufügen",
    manage: "Ändern oder stornieren",
    taken: "Diese Zeit wurde gerade vergeben. Die nächsten freien Zeiten:",
    alternatives: "Nächste freie Zeiten",
    limit: "Wir können gerade keine weiteren Anfragen annehmen. Bitte später erneut versuchen.",
    too_many: "Zu viele Versuche. Bitte in {} Sekunden erneut versuchen.",
    network:
        "Der Dienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    retry: "Erneut versuchen",
    invalid: "Bitte prüfen Sie die Telefonnummer.",
    not_found: "Diese Rückrufanfrage gibt es nicht (mehr).",
    site_not_allowed: "Diese Website ist noch nicht für Rückrufe eingerichtet.",
    morning: "Vormittag",
    afternoon: "Nachmittag",
    evening: "Abend",
    status: "Status",
    manage_title: "Ihr Rückruf",
    cancel: "Rückruf stornieren",
    cancelled: "Ihr Rückruf ist storniert.",
    reschedule: "Andere Zeit wählen",
    rescheduled: "Ihr Rückruf ist verschoben.",
    calendar_title: "Rückruf",
    state_scheduled: "Gebucht",
    state_waiting: "Wartet auf einen Mitarbeiter",
    state_calling: "Wir rufen an",
    state_done: "Erledigt",
    state_cancelled: "Storniert",
    #[cfg(feature = "manage")]
    confirm_prompt: "Ein Berater ist bereit, Sie anzurufen. Sollen wir jetzt anrufen?",
    #[cfg(feature = "manage")]
    confirm: "Jetzt anrufen",
    #[cfg(feature = "manage")]
    call_us: "Rufen Sie uns jetzt an unter",
    #[cfg(feature = "manage")]
    chat_ready: "Jemand ist bereit — Chat starten",
    #[cfg(feature = "manage")]
    chat_open: "Chat öffnen",
    #[cfg(feature = "manage")]
    code: "Ihr Code",
};

pub static ES: Texts = Texts {
    title: "Solicitar una llamada",
    close: "Cerrar",
    name: "Su nombre",
    phone: "Número de teléfono",
    country: "País",
    reason: "¿De qué se trata? (opcional)",
    consent: "Usamos su número solo para devolverle la llamada sobre esta solicitud.",
    call_now: "Llámame ahora",
    wait: "Espera actual: unos {} min",
    no_wait: "Sin espera ahora mismo",
    closed_now: "Ahora estamos cerrados: elija una hora.",
    choose_time: "Elegir una hora",
    days: "Día",
    times: "Horas libres",
    no_slots_day: "No hay horas libres el {}. Se muestra el {}.",
    no_slots: "No hay horas libres en los próximos días.",
    back: "Volver",
    book: "Reservar esta hora",
    sending: "Enviando…",
    loading: "Cargando…",
    done_now: "Le llamaremos en breve.",
    done_at: "Le llamaremos {}.",
    business_time: "({} nuestra hora, {})",
    reference: "Referencia",
    add_calendar: "Añadir al calendario",
    manage: "Cambiar o cancelar",
    taken: "Esa hora acaba de ocuparse. Estas son las horas libres más cercanas:",
    alternatives: "Horas libres más cercanas",
    limit: "No podemos aceptar más solicitudes ahora. Inténtelo más tarde.",
    too_many: "Demasiados intentos. Inténtelo de nuevo en {} segundos.",
    network: "No se pudo contactar con el servicio. Compruebe su conexión e inténtelo de nuevo.",
    retry: "Reintentar",
    invalid: "Compruebe el número de teléfono.",
    not_found: "Esta solicitud de llamada no existe (o ya no existe).",
    site_not_allowed: "Este sitio aún no está configurado para llamadas.",
    morning: "Mañana",
    afternoon: "Tarde",
    evening: "Noche",
    status: "Estado",
    manage_title: "Su llamada",
    cancel: "Cancelar la llamada",
    cancelled: "Su llamada está cancelada.",
    reschedule: "Elegir otra hora",
    rescheduled: "Su llamada se ha movido.",
    calendar_title: "Llamada",
    state_scheduled: "Reservada",
    state_waiting: "Esperando a un agente",
    state_calling: "Llamándole",
    state_done: "Terminada",
    state_cancelled: "Cancelada",
    #[cfg(feature = "manage")]
    confirm_prompt: "Un agente está listo para llamarle. ¿Le llamamos ahora?",
    #[cfg(feature = "manage")]
    confirm: "Llámenme ahora",
    #[cfg(feature = "manage")]
    call_us: "Llámenos ahora al",
    #[cfg(feature = "manage")]
    chat_ready: "Un agente está listo — iniciar el chat",
    #[cfg(feature = "manage")]
    chat_open: "Abrir el chat",
    #[cfg(feature = "manage")]
    code: "Su código",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_placeholders() {
        assert_eq!(Lang::from_tag("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_tag("DE"), Lang::De);
        assert_eq!(Lang::from_tag("pt-BR"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
        assert_eq!(
            fill("No free time on {}. Showing {}.", &["Sat", "Mon"]),
            "No free time on Sat. Showing Mon."
        );
        assert_eq!(fill(EN.wait, &["4"]), "Current wait: about 4 min");
    }

    #[test]
    fn every_language_fills_every_text() {
        for lang in [Lang::En, Lang::Fr, Lang::De, Lang::Es] {
            let t = lang.texts();
            for text in [
                t.title,
                t.call_now,
                t.choose_time,
                t.taken,
                t.network,
                t.cancel,
                t.state_waiting,
            ] {
                assert!(!text.is_empty(), "{lang:?}");
            }
            assert_eq!(t.wait.matches("{}").count(), 1);
            assert_eq!(t.no_slots_day.matches("{}").count(), 2);
            assert_eq!(t.business_time.matches("{}").count(), 2);
        }
    }
}
